# demo/local.mk: the bundled demo program (not installed) and its script.
# Run it from the build directory: sh demo/run-demo.sh
noinst_PROGRAMS += demo/demo
demo_demo_SOURCES = demo/demo.c
EXTRA_DIST += demo/input.txt demo/run-demo.sh
