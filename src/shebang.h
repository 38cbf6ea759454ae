/* #! lines: Linux runs "#!/usr/bin/sockkit bindtest -n -s" in a script ./t as
 *     argv = { "/usr/bin/sockkit", "bindtest -n -s", "./t", ARGS... }
 * and "#!/usr/bin/bindtest -n -s" as { "/usr/bin/bindtest", "-n -s", "./t",
 * ARGS... }.  For an applet that is not an interpreter, such a script is a
 * saved command line: the applet gets { NAME, "-n", "-s", ARGS... }.  The
 * split is at blanks; the script's path goes (it is not an operand).  A call
 * counts as a #! call only when the script's first line is the very line
 * that produced argv (the kernel's way, or env -S's: word by word), so a
 * hand-typed argument is never split or dropped. */
#ifndef SOCKKIT_SHEBANG_H
#define SOCKKIT_SHEBANG_H

/* What ends an applet's name at the front of a combined argument. */
#define SHEBANG_SEPS " \t,"

/* argv[0] named the applet (a link): expand a #! call in place. */
void shebang_expand_link(int *argc, char ***argv);

/* argv[1] is NAME, or NAME, a separator and rest: give the applet its
 * argv, expanded as above when this is a #! call, else with rest (if any)
 * as one argument.  rest may be NULL. */
void shebang_expand_argument(const char *name, const char *rest, int *argc, char ***argv);

/* For an interpreter: { NAME, rest (when not blank), argv[2]... }, the
 * combined argument left whole for the applet's own rules. */
void shebang_pass_combined(const char *name, const char *rest, int *argc, char ***argv);

#endif
