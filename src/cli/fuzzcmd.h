/* fuzzcmd.h: dios-fuzz's run and report subcommands (fuzzcmd.c), called
 * by dios-fuzz.c's main with argv[0] the subcommand's name.  They exit on
 * bad input; they return the command's exit status otherwise. */
#ifndef DIOS_FUZZCMD_H
#define DIOS_FUZZCMD_H

int fuzz_cmd_run(int argc, char **argv);
int fuzz_cmd_report(int argc, char **argv);
int fuzz_cmd_min(int argc, char **argv);

#endif
