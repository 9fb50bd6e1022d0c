#!/bin/sh
# fuzz-run.sh: dios-fuzz run and report (src/fuzz/campaign.c) on the
# planted bugs of tests/progs/fuzzme: each is found within a bounded number
# of runs, once in the report however often it was hit, and its reproducer
# replays the failure with plain dios-replay every time; the host is
# untouched.  The other planted bugs are hunted by fuzz-hunt.sh, and
# fuzz-campaign.sh checks a campaign's seed, workers, Ctrl-C and bad input
# (the three run side by side).
. "${top_srcdir:-$(dirname "$0")/..}/tests/fuzz-lib.sh"

hunt open error crash SIGSEGV
hunt shortread short crash SIGSEGV
hunt retry error crash SIGSEGV
hunt stat stat crash SIGFPE 30
hunt shortread bytes crash SIGSEGV 30 shortread-bytes
# the triage names where the program faulted and where the call was made
if [ -s "$T/f-stat/stats.json" ]; then
	has "stat: the failure's key names the function that faulted" "$T/f-stat/stats.json" \
	    '"key": "crash SIGFPE after [a-z]*stat[a-z]* stat at [^"]*m_stat.* in [^"]*m_stat'
fi
if [ -s "$T/f-shortread-bytes/stats.json" ]; then
	is "$("$JQ" -r '.candidates' "$T/f-shortread-bytes/stats.json")" 1 \
	    "bytes: only the program's own read is a candidate (not the loader's of its libraries)"
fi

# the search: the retried open's crash needs two mutations, the second of a
# call that only a run with the first makes (the corpus kept that run)
if [ -s "$T/f-retry/stats.json" ]; then
	rid=$("$JQ" -r '[.unique[] | select(.kind == "crash")][0].id // empty' "$T/f-retry/stats.json")
	rmeta=$T/f-retry/failures/$(printf '%04d' "${rid:-0}").json
	is "$("$JQ" -r '.mutations | length' "$rmeta" 2>/dev/null)" 2 "retry: the crash's plan has two mutations"
	is "$("$JQ" -r '[.mutations[].sys] | unique | join(",")' "$rmeta" 2>/dev/null)" openat \
	    "retry: both fail an open"
	ok "retry: runs with new behaviour joined the corpus" "$("$JQ" -r '.corpus' "$T/f-retry/stats.json")" -gt 0
	ok "retry: its runs are kept in the worker's queue" -s "$T/f-retry/queue-main/0001.json.zst"
	# min: a needless mutation put in front of the two is taken away
	"$JQ" '.mutations = ([{"seq": 1, "sys": "rt_sigaction", "op": "error", "tid": .mutations[0].tid,
	    "nth": 1, "err": "EINVAL"}] + .mutations)' "$rmeta" >"$T/f-retry/failures/0900.json"
	cp "${rmeta}.zst" "$T/f-retry/failures/0900.json.zst"
	run ddmin sh -c "cd / && \"\$0\" min \"\$1\"" "$DIOS_FUZZ" "$T/f-retry/failures/0900.json.zst"
	is "$st" 0 "min of three mutations (from another directory): exits 0"
	has "min: ddmin keeps the two that fail" "$T/ddmin.e" "2 of the 3 still fail the same way"
	(cd "$W" && run_to 60 "$DIOS_REPLAY" -q "$T/f-retry/failures/0900.min.json.zst") >/dev/null 2>&1 </dev/null
	is "$?" 139 "min: the reproducer of the two replays the crash"
fi

# dios-replay --mutate: a plan replayed by hand, as dios-fuzz runs it
if [ -s "$T/open.json.zst" ]; then
	ptid=$(zstd -dc "$T/open.json.zst" | "$JQ" -r 'select(.sys == "openat" and (.args.path | test("config$"))) | .tid' | head -n 1)
	pnth=$(zstd -dc "$T/open.json.zst" | "$JQ" -r 'select(.sys == "openat") | .args.path' | grep -n 'config$' | cut -d: -f1)
	printf '[{"tid": %s, "nth": %s, "sys": "openat", "op": "error", "err": "ENOENT", "seq": 0}]\n' \
	    "$ptid" "$pnth" >"$T/plan.json"
	(cd "$W" && run_to 60 "$DIOS_REPLAY" -q --model --mutate "$T/plan.json" -o "$T/planned.json.zst" \
	    "$T/open.json.zst") >/dev/null 2>"$T/planned.e" </dev/null
	is "$?" 139 "--mutate: the open made to fail, the program crashes"
	is "$(zstd -dc "$T/planned.json.zst" | head -n 1 | "$JQ" -r '.perturbed.fuzz[0].err')" ENOENT \
	    "--mutate: the run's header names the mutation"
	is "$(zstd -dc "$T/planned.json.zst" | tail -n 1 | "$JQ" -r '.mutated')" 1 "--mutate: its footer counts it applied"
	echo '[{"sys": "openat"}]' >"$T/badplan.json"
	run badplan "$DIOS_REPLAY" --model --mutate "$T/badplan.json" "$T/open.json.zst"
	is "$st" 2 "--mutate with a bad plan: status 2"
	is "$(wc -l <"$T/badplan.e" | tr -d ' ')" 1 "--mutate with a bad plan: one line"
fi

# min: the short read's failure, with the fewest bytes cut that still fail
if [ -d "$T/f-shortread" ]; then
	sid=$("$JQ" -r '[.unique[] | select(.kind == "crash")][0].id // empty' "$T/f-shortread/stats.json")
	sf=$T/f-shortread/failures/$(printf '%04d' "${sid:-0}").json.zst
	run min "$DIOS_FUZZ" min "$sf"
	is "$st" 0 "min: exits 0"
	has "min: the failure still fails the same way" "$T/min.e" "one mutation, short of event [0-9]+ \\(read\\): it fails as crash SIGSEGV"
	has "min: one byte cut of the 16 is enough" "$T/min.e" "the shortest cut that still fails: 1 of 16 bytes"
	mf=${sf%.json.zst}.min.json.zst
	(cd "$W" && run_to 60 "$DIOS_REPLAY" -q "$mf") >/dev/null 2>&1 </dev/null
	is "$?" 139 "min: its reproducer replays the crash"
	run min2 "$DIOS_FUZZ" min "$T/nothing.json.zst"
	is "$st" 2 "min of no failure: status 2"
fi

# the report as JSON and as one HTML page
if [ -d "$T/f-open" ]; then
	"$DIOS_FUZZ" report --json "$T/f-open" >"$T/r.json" 2>"$T/r.e"
	is "$("$JQ" -r '[.unique[].kind] | index("crash") != null' "$T/r.json")" true "report --json: the failure"
	"$DIOS_FUZZ" report --html "$T/f-open" >"$T/r.html" 2>"$T/r.e"
	has "report --html: one page with the coverage table" "$T/r.html" "<h2>Error-path coverage</h2>"
fi

# the model answers what a fallback path asks: its directory, a poll, a
# clock the recording never read
"$DIOS_RECORD" -q -o "$T/fallback.json.zst" -- "$FUZZME" fallback "$W" >/dev/null 2>&1 </dev/null
fbtid=$(zstd -dc "$T/fallback.json.zst" | head -n 1 | "$JQ" -r '.pid')
fbnth=$(zstd -dc "$T/fallback.json.zst" | "$JQ" -r 'select(.sys == "openat") | .args.path' | grep -n 'config$' | cut -d: -f1)
printf '[{"tid": %s, "nth": %s, "sys": "openat", "op": "error", "err": "ENOENT", "seq": 0}]\n' "$fbtid" "$fbnth" \
    >"$T/fbplan.json"
(cd "$W" && run_to 60 "$DIOS_REPLAY" --model --mutate "$T/fbplan.json" -o "$T/fbrun.json.zst" \
    "$T/fallback.json.zst") >"$T/fbrun.o" 2>"$T/fbrun.e" </dev/null
is "$?" 0 "fallback: the program's other path ends as it would (0)"
has "fallback: it printed its fallback" "$T/fbrun.o" '^fallback$'
is "$(zstd -dc "$T/fbrun.json.zst" | tail -n 1 | "$JQ" -r '.model.unmodelled')" 0 \
    "fallback: getcwd, poll and a clock never read: the model answered each"

# a fork made to fail: the child the recording has next never comes, and
# the run goes on against the model (the shell reports it), where replay
# waited for it for ever
VF=$(command -v sh)
"$DIOS_RECORD" -q -o "$T/vfork.json.zst" -- "$VF" -c 'echo one; /bin/true; echo two' >/dev/null 2>&1 </dev/null
fsys=$(zstd -dc "$T/vfork.json.zst" | "$JQ" -r 'select(.sys == "vfork" or .sys == "clone" or .sys == "fork") | .sys' | head -n 1)
if [ -n "$fsys" ]; then
	ftid=$(zstd -dc "$T/vfork.json.zst" | head -n 1 | "$JQ" -r '.pid')
	printf '[{"tid": %s, "nth": 1, "sys": "%s", "op": "error", "err": "EAGAIN", "seq": 0}]\n' "$ftid" "$fsys" \
	    >"$T/vfplan.json"
	run_to 60 "$DIOS_REPLAY" -q --model --mutate "$T/vfplan.json" -o "$T/vfrun.json.zst" "$T/vfork.json.zst" \
	    >/dev/null 2>"$T/vfrun.e" </dev/null
	vst=$?
	ok "a $fsys made to fail: the shell's own error status ($vst), no hang" "$vst" -ne 0 -a "$vst" -ne 120 \
	    -a "$vst" -lt 124
	run_to 60 "$DIOS_REPLAY" -q "$T/vfrun.json.zst" >/dev/null 2>&1 </dev/null
	is "$?" "$vst" "a $fsys made to fail: its run replays strictly to the same status"
else
	skip "a fork made to fail" "the shell made no fork"
	skip "a fork made to fail: replayed" "the shell made no fork"
fi

done_testing
