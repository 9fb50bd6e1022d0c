#!/bin/sh
# layout.sh: the source tree keeps its architecture (src/README).  Every
# folder of src/ has a README whose "Uses:" line names the folders it may
# include from; every #include "FOLDER/..." in it is its own or one of
# those; the "Uses:" lines have no cycle; and every source file is built
# (named in a local.mk).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

S=$top_srcdir/src
folders=$(cd "$S" && for d in */; do echo "${d%/}"; done)

uses_of()	# uses_of FOLDER: its "Uses:" line, without "(none)"
{
	sed -n 's/^Uses:[[:space:]]*//p' "$S/$1/README" | sed 's/(none)//'
}

for f in $folders; do
	if [ ! -f "$S/$f/README" ] || ! grep -q '^Uses:' "$S/$f/README"; then
		ok "src/$f has a README with a Uses: line" 1 = 0
		continue
	fi
	ok "src/$f has a README with a Uses: line" 1 = 1
	allowed=" $f $(uses_of "$f") "
	for u in $(uses_of "$f"); do
		[ -d "$S/$u" ] || { ok "src/$f/README: Uses: names src/$u, which exists" 1 = 0; }
	done
	bad=$(cd "$S/$f" && grep -H '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[a-z]*/' \
	    ./*.[ch] ./*.def ./*.inc 2>/dev/null |
	    sed 's|^\./||; s|:.*#[[:space:]]*include[[:space:]]*"\([a-z]*\)/.*|: \1|' |
	    while read -r file dep; do
		case "$allowed" in *" $dep "*) ;; *) echo "src/$f/${file%:} includes $dep/" ;; esac
	done)
	is "$bad" "" "src/$f includes only from: $(echo $allowed)"
done

# No cycle: repeatedly remove the folders whose uses are all removed.
left=$folders
while :; do
	next=""
	for f in $left; do
		for u in $(uses_of "$f"); do
			case " $(echo $left) " in *" $u "*) next="$next $f"; break ;; esac
		done
	done
	[ "$(echo $next)" = "$(echo $left)" ] && break
	left=$next
done
is "$(echo $left)" "" "the folders' Uses: lines have no cycle"

# Every source file is in the build.
missing=$(cd "$top_srcdir" && for p in src/*/*.[ch] src/*/*.def src/*/*.inc; do
	[ -e "$p" ] || continue
	grep -qF "$p" src/*/local.mk || echo "$p"
done)
is "$missing" "" "every file of src/ is named in a local.mk"

done_testing
