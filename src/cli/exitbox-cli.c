/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "exitbox-cli.h"
#include "exitbox-cli-private.h"

typedef struct
{
  ExitboxConfig    *config;
  ExitboxAllowlist *allowlist;
  ExitboxEngine    *engine;
} CliContext;

static void
cli_context_clear (CliContext *context)
{
  g_clear_object (&context->config);
  g_clear_object (&context->allowlist);
  g_clear_object (&context->engine);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliContext, cli_context_clear)

void
exitbox_cli_options_clear (CliOptions *options)
{
  g_clear_pointer (&options->env, g_ptr_array_unref);
  g_clear_pointer (&options->include_dirs, g_ptr_array_unref);
  g_clear_pointer (&options->tools, g_ptr_array_unref);
  g_clear_pointer (&options->allow_entries, g_ptr_array_unref);
  g_clear_pointer (&options->memory, g_free);
  g_clear_pointer (&options->cpus, g_free);
  g_clear_pointer (&options->args, g_strfreev);
}

void
exitbox_cli_print_error (const char *message)
{
  g_printerr ("exitbox: %s\n", message);
}

gboolean
exitbox_cli_confirm (const char *question)
{
  char answer[16] = { 0 };

  if (!isatty (STDIN_FILENO))
    return FALSE;

  g_print ("%s [y/N] ", question);
  if (fgets (answer, sizeof answer, stdin) == NULL)
    return FALSE;

  return answer[0] == 'y' || answer[0] == 'Y';
}

/* Reads one line from stdin without its line ending and surrounding
 * whitespace, or returns NULL at the end of input.
 */
char *
exitbox_cli_read_answer (void)
{
  g_autofree char *line = NULL;
  size_t capacity = 0;
  ssize_t length;

  fflush (stdout);
  length = getline (&line, &capacity, stdin);
  if (length < 0)
    return NULL;

  return g_strstrip (g_strdup (line));
}

/* Writes the default files when config.yaml is missing, and prints where. */
gboolean
exitbox_cli_ensure_defaults (const char  *config_dir,
                             GError     **error)
{
  gboolean created = FALSE;

  if (!exitbox_config_ensure_defaults (config_dir, &created, error))
    return FALSE;

  if (created)
    g_printerr (_("Wrote the default configuration to %s\n"), config_dir);

  return TRUE;
}

void
exitbox_cli_on_async_ready (GObject      *object,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  GAsyncResult **out_result = user_data;

  *out_result = g_object_ref (result);
  g_main_context_wakeup (NULL);
}

/* Runs the default main context until exitbox_cli_on_async_ready() has
 * stored a result in @result.
 */
GAsyncResult *
exitbox_cli_wait_for_result (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *result;
}

gboolean
exitbox_cli_wants_help (char **args)
{
  for (guint i = 0; args[i] != NULL; i++)
    {
      if (g_str_equal (args[i], "--help") || g_str_equal (args[i], "-h"))
        return TRUE;
    }

  return FALSE;
}

/* The options of sessions, in `exitbox --help` and the session commands' help. */
static const char session_options_help[] =
  N_("Options (before the agent name; everything after it goes to the agent):\n"
     "  -r, --read-only   Mount the project folder read-only\n"
     "  -a, --allow-urls ENTRY[,ENTRY…]\n"
     "                    Allow these allowlist entries for this session only\n"
     "  -f, --no-firewall Run without the proxy on a plain bridge network, so the\n"
     "                    agent can reach any address (also EXITBOX_NO_FIREWALL=1)\n"
     "  -v, --verbose     Print the engine command line and the full build output\n"
     "      --force       Allow the home folder or “/” as the project folder\n"
     "  -n, --no-env      Pass no host environment variables (see -e)\n"
     "  -e, --env KEY=VALUE\n"
     "                    Set a variable in the session; repeatable\n"
     "  -i, --include-dir DIR\n"
     "                    Mount DIR at /workspace/NAME (read-only with -r); repeatable\n"
     "      --memory SIZE Memory limit with unit b, k, m or g, such as 8g\n"
     "      --cpus NUMBER Number of CPUs, such as 4 or 1.5\n"
     "  -u, --update      Look up the agent's latest release and rebuild its image\n"
     "                    when it is newer\n"
     "      --allow-unverified\n"
     "                    Install Codex or OpenCode even when the release publishes no\n"
     "                    SHA-256 digest for it (not recommended)\n"
     "  -t, --tools PACKAGE[,PACKAGE…]\n"
     "                    Add distribution packages to tools.user in config.yaml;\n"
     "                    repeatable\n"
     "  -h, --help        Show this help\n"
       "      --version     Show the ExitBox version\n");

static void
print_usage (FILE *stream)
{
  fprintf (stream, "%s",
           _("Usage:\n"
             "  exitbox [OPTION…] AGENT [AGENT-ARGUMENT…]   Run an agent in the sandbox\n"
             "  exitbox [OPTION…] run AGENT [AGENT-ARGUMENT…]\n"
             "  exitbox [OPTION…] shell [-- COMMAND [ARGUMENT…]]\n"
             "                                 Open a shell in the sandbox, or run one command\n"
             "  exitbox list                   List the agents and whether their images are built\n"
             "  exitbox rebuild AGENT|all      Build the agent’s core and this project’s image\n"
             "                                 again, with the latest agent release\n"
             "  exitbox uninstall AGENT [--yes]\n"
             "                                 Remove the agent’s images (asks first)\n"
             "  exitbox clean [all] [--yes]    Remove untagged ExitBox images, or with all\n"
             "                                 every ExitBox image (asks first)\n"
             "  exitbox AGENT profile list|status|add|remove [PROFILE…]\n"
             "                                 Show or change the project’s development profiles\n"
             "  exitbox doctor [--fix] [--yes] Check the container engine and fix what it can\n"
             "  exitbox setup [SETUP-OPTION…]  Choose roles, languages, tools, agents and the\n"
             "                                 firewall categories (exitbox setup --help)\n"
             "  exitbox enable AGENT           Set agents.AGENT.enabled to true in config.yaml\n"
             "  exitbox disable AGENT          Set agents.AGENT.enabled to false in config.yaml\n"
             "  exitbox allowlist list         List the allowlist categories and their entries\n"
             "  exitbox allowlist add ENTRY [--category NAME]\n"
             "                                 Allow ENTRY (default category: custom)\n"
             "  exitbox allowlist remove ENTRY Remove ENTRY from every category\n"
             "  exitbox allowlist disable ENTRY\n"
             "                                 Keep ENTRY in the file but stop allowing it\n"
             "  exitbox allowlist enable ENTRY Allow a disabled ENTRY again\n"
             "  exitbox projects               List the projects sessions ran in, newest first\n"
             "  exitbox import AGENT|all [--yes]\n"
             "                                 Copy the agent’s host configuration into its\n"
             "                                 managed folder again (asks before replacing)\n"
             "  exitbox logs AGENT             Show the end of the agent’s newest *.log file\n"
             "  exitbox logs --session         Show the end of the newest ExitBox session log\n"
             "  exitbox aliases                Print shell aliases that run each agent\n"
             "  exitbox info                   Show versions, the engine, networks, proxy,\n"
             "                                 folders and agents\n"
             "  exitbox completion bash|zsh|fish\n"
             "                                 Print a shell completion script\n"
             "  exitbox firewall status        Show the proxy, its rule counts and the sessions\n"
             "  exitbox firewall log [-f]      Show blocked requests; -f keeps following\n"
             "  exitbox firewall check HOST[:PORT]\n"
             "                                 Show whether the proxy allows HOST and by which\n"
             "                                 rule, without sending anything\n"
             "  exitbox firewall pending       List the exitbox-allow requests that wait\n"
             "  exitbox firewall approve ID [--session|--always]\n"
             "                                 Allow a request for its session only (the\n"
             "                                 default) or add it to the allowlist\n"
             "  exitbox firewall deny ID       Deny a request\n"
             "\n"
             "Agents: claude, codex, opencode\n"
             "\n"));
  fprintf (stream, "%s", _(session_options_help));
}

typedef enum
{
  OPTION_FLAG,
  OPTION_VALUE,      /* one value, the last one given wins */
  OPTION_LIST,       /* repeatable, each value kept as given */
  OPTION_COMMA_LIST, /* repeatable, comma lists split, empty items dropped */
} OptionKind;

typedef struct
{
  char        short_name;  /* '\0' when there is none */
  const char *long_name;
  OptionKind  kind;
  gsize       offset;      /* of the gboolean, char * or GPtrArray * in CliOptions */
  gboolean    session;     /* only meaningful for agent sessions and the shell */
} OptionSpec;

static const OptionSpec option_specs[] = {
  { 'r', "read-only", OPTION_FLAG, G_STRUCT_OFFSET (CliOptions, read_only), TRUE },
  { 'v', "verbose", OPTION_FLAG, G_STRUCT_OFFSET (CliOptions, verbose), FALSE },
  { '\0', "force", OPTION_FLAG, G_STRUCT_OFFSET (CliOptions, force), TRUE },
  { 'f', "no-firewall", OPTION_FLAG, G_STRUCT_OFFSET (CliOptions, no_firewall), TRUE },
  { 'n', "no-env", OPTION_FLAG, G_STRUCT_OFFSET (CliOptions, no_env), TRUE },
  { 'u', "update", OPTION_FLAG, G_STRUCT_OFFSET (CliOptions, update), TRUE },
  { 'e', "env", OPTION_LIST, G_STRUCT_OFFSET (CliOptions, env), TRUE },
  { 'i', "include-dir", OPTION_LIST, G_STRUCT_OFFSET (CliOptions, include_dirs), TRUE },
  { 't', "tools", OPTION_COMMA_LIST, G_STRUCT_OFFSET (CliOptions, tools), TRUE },
  { 'a', "allow-urls", OPTION_COMMA_LIST, G_STRUCT_OFFSET (CliOptions, allow_entries), TRUE },
  { '\0', "memory", OPTION_VALUE, G_STRUCT_OFFSET (CliOptions, memory), TRUE },
  { '\0', "cpus", OPTION_VALUE, G_STRUCT_OFFSET (CliOptions, cpus), TRUE },
  { '\0', "allow-unverified", OPTION_FLAG, G_STRUCT_OFFSET (CliOptions, allow_unverified), FALSE },
};

/* The help of commands that have no handler of their own for --help. */
static const struct
{
  const char *command;
  const char *help;
} command_help[] = {
  { "run", N_("Usage: exitbox [OPTION…] run AGENT [AGENT-ARGUMENT…]\n"
              "       exitbox [OPTION…] AGENT [AGENT-ARGUMENT…]\n"
              "\n"
              "Run AGENT (claude, codex or opencode) in the sandbox on the current folder,\n"
              "building its images first when needed. Arguments after the agent’s name go\n"
              "to the agent. The exit status is the agent’s, or 125 when the engine fails.\n"
              "\n") },
  { "shell", N_("Usage: exitbox [OPTION…] shell [-- COMMAND [ARGUMENT…]]\n"
                "\n"
                "Open a shell in the sandbox on the current folder, or run COMMAND there.\n"
                "The exit status is the command’s, or 125 when the engine fails.\n"
                "\n") },
  { "list", N_("Usage: exitbox list\n"
               "\n"
               "List the agents: enabled or not, whether their images are built for the\n"
               "current folder, and the installed version.\n") },
  { "doctor", N_("Usage: exitbox doctor [--fix] [--yes]\n"
                 "\n"
                 "Check the container engine: the OCI runtime, resource limits, rootless\n"
                 "networking, sub-ids, the init helper, the storage driver and cgroup limits,\n"
                 "with a test container from the base image when it is available.\n"
                 "\n"
                 "  --fix   Write the engine configuration that fixes what ExitBox can fix,\n"
                 "          asking before each change\n"
                 "  --yes   Do not ask\n") },
  { "enable", N_("Usage: exitbox enable AGENT\n"
                 "\n"
                 "Set agents.AGENT.enabled to true in config.yaml, keeping the rest of the\n"
                 "file as it is.\n") },
  { "disable", N_("Usage: exitbox disable AGENT\n"
                  "\n"
                  "Set agents.AGENT.enabled to false in config.yaml, keeping the rest of the\n"
                  "file as it is. The agent’s images and managed folder stay.\n") },
  { "allowlist", N_("Usage: exitbox allowlist ACTION\n"
                    "\n"
                    "  exitbox allowlist list              List the categories and their entries\n"
                    "  exitbox allowlist add ENTRY [--category NAME]\n"
                    "                                      Allow ENTRY (default category: custom)\n"
                    "  exitbox allowlist remove ENTRY      Remove ENTRY from every category\n"
                    "  exitbox allowlist disable ENTRY     Keep ENTRY in the file, stop allowing it\n"
                    "  exitbox allowlist enable ENTRY      Allow a disabled ENTRY again\n"
                    "\n"
                    "ENTRY is a domain (it also allows its subdomains), an IP address, or either\n"
                    "with a port, such as example.com:8443. Put “--” before an entry that starts\n"
                    "with “-”. A change reaches the running proxy at once.\n") },
  { "firewall", N_("Usage: exitbox firewall status\n"
                   "       exitbox firewall log [-f]\n"
                   "       exitbox firewall check HOST[:PORT]\n"
                   "       exitbox firewall pending\n"
                   "       exitbox firewall approve ID [--session|--always]\n"
                   "       exitbox firewall deny ID\n"
                   "\n"
                   "  status   The proxy’s state and address, its rule counts and the sessions\n"
                   "           with entries of their own\n"
                   "  log      The requests the proxy blocked, with the session that made them;\n"
                   "           -f keeps following the log\n"
                   "  check    Whether the proxy allows HOST (port 443 when none is given) and\n"
                   "           by which rule; nothing is sent to HOST\n"
                   "  pending  The exitbox-allow requests that wait for an answer, with their\n"
                   "           ids; unanswered requests are denied after a while\n"
                   "  approve  Allow a request for its session only (--session, the default)\n"
                   "           or add its entry to the allowlist (--always)\n"
                   "  deny     Deny a request; the agent keeps getting 403\n") },
  { "rebuild", N_("Usage: exitbox rebuild AGENT|all\n"
                  "\n"
                  "Look up the agent’s latest release, then build its core layer and the\n"
                  "current folder’s project layer again; all does it for every enabled agent.\n") },
  { "uninstall", N_("Usage: exitbox uninstall AGENT [--yes]\n"
                    "\n"
                    "Remove the agent’s core and project images after asking; --yes does not\n"
                    "ask. The managed folder in ~/.config/exitbox stays.\n") },
  { "clean", N_("Usage: exitbox clean [all] [--yes]\n"
                "\n"
                "Remove untagged ExitBox images. With all, remove every ExitBox image (base,\n"
                "proxy, agent cores and projects) after asking; --yes does not ask. Other\n"
                "images are never touched.\n") },
};

/* Prints the help of @command and exits when @arg asks for help. */
static void
maybe_print_command_help (const char *command,
                          const char *arg)
{
  if (arg == NULL || (!g_str_equal (arg, "--help") && !g_str_equal (arg, "-h")))
    return;

  for (guint i = 0; i < G_N_ELEMENTS (command_help); i++)
    {
      if (!g_str_equal (command_help[i].command, command))
        continue;

      g_print ("%s", _(command_help[i].help));
      if (g_str_equal (command, "run") || g_str_equal (command, "shell"))
        g_print ("%s", _(session_options_help));
      exit (0);
    }
}

/* The commands besides "run", "shell", "help" and the agent names. */
static const char * const command_names[] = {
  "list", "doctor", "setup", "enable", "disable", "allowlist", "firewall", "projects",
  "import", "logs", "aliases", "info", "completion", "rebuild", "uninstall", "clean", NULL
};

const char * const *
exitbox_cli_get_command_names (void)
{
  return command_names;
}

void
exitbox_cli_append_option_names (GPtrArray *flags,
                                 GPtrArray *value_options)
{
  for (guint i = 0; i < G_N_ELEMENTS (option_specs); i++)
    {
      const OptionSpec *spec = &option_specs[i];
      GPtrArray *target = spec->kind == OPTION_FLAG ? flags : value_options;

      if (spec->short_name != '\0')
        g_ptr_array_add (target, g_strdup_printf ("-%c", spec->short_name));
      g_ptr_array_add (target, g_strdup_printf ("--%s", spec->long_name));
    }
}

static const OptionSpec *
find_option (const char  *arg,
             const char **out_inline_value)
{
  *out_inline_value = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (option_specs); i++)
    {
      const OptionSpec *spec = &option_specs[i];

      if (arg[1] != '-' && spec->short_name != '\0' && arg[1] == spec->short_name)
        {
          /* "-eKEY=VALUE" carries its value; a flag never does. */
          if (arg[2] == '\0')
            return spec;
          if (spec->kind != OPTION_FLAG)
            {
              *out_inline_value = arg + 2;
              return spec;
            }
          return NULL;
        }

      if (arg[1] == '-' && g_str_has_prefix (arg + 2, spec->long_name))
        {
          const char *after = arg + 2 + strlen (spec->long_name);

          if (*after == '\0')
            return spec;
          if (*after == '=' && spec->kind != OPTION_FLAG)
            {
              *out_inline_value = after + 1;
              return spec;
            }
        }
    }

  return NULL;
}

static void
store_option (CliOptions       *options,
              const OptionSpec *spec,
              const char       *value)
{
  gpointer field = G_STRUCT_MEMBER_P (options, spec->offset);

  switch (spec->kind)
    {
    case OPTION_FLAG:
      *(gboolean *) field = TRUE;
      break;

    case OPTION_VALUE:
      g_free (*(char **) field);
      *(char **) field = g_strdup (value);
      break;

    case OPTION_LIST:
    case OPTION_COMMA_LIST:
      if (*(GPtrArray **) field == NULL)
        *(GPtrArray **) field = g_ptr_array_new_with_free_func (g_free);

      if (spec->kind == OPTION_LIST)
        g_ptr_array_add (*(GPtrArray **) field, g_strdup (value));
      else
        {
          g_auto(GStrv) items = g_strsplit (value, ",", -1);

          for (guint i = 0; items[i] != NULL; i++)
            {
              g_strstrip (items[i]);
              if (items[i][0] != '\0')
                g_ptr_array_add (*(GPtrArray **) field, g_strdup (items[i]));
            }
        }
      break;

    default:
      g_assert_not_reached ();
    }
}

static char *
dup_option_name (const OptionSpec *spec)
{
  if (spec->short_name != '\0')
    return g_strdup_printf ("-%c/--%s", spec->short_name, spec->long_name);

  return g_strdup_printf ("--%s", spec->long_name);
}

/* Parses the options before the command or agent name. Returns the index of
 * the first other argument, or -1 after printing an error.
 */
static int
parse_global_options (int          argc,
                      char        *argv[],
                      CliOptions  *options,
                      gboolean    *out_session_option)
{
  int i;

  *out_session_option = FALSE;

  for (i = 1; i < argc; i++)
    {
      const char *arg = argv[i];
      const OptionSpec *spec;
      const char *value = NULL;

      if (arg[0] != '-' || arg[1] == '\0')
        break;

      if (g_str_equal (arg, "-h") || g_str_equal (arg, "--help"))
        {
          print_usage (stdout);
          exit (0);
        }

      if (g_str_equal (arg, "--version"))
        {
          g_print ("exitbox %s\n", PACKAGE_VERSION);
          exit (0);
        }

      spec = find_option (arg, &value);
      if (spec == NULL)
        {
          g_autofree char *message =
            g_strdup_printf (_("Unknown option “%s”. Run “exitbox --help” to see the options."), arg);
          exitbox_cli_print_error (message);
          return -1;
        }

      if (spec->kind != OPTION_FLAG && value == NULL)
        {
          if (i + 1 >= argc)
            {
              g_autofree char *name = dup_option_name (spec);
              g_autofree char *message =
                g_strdup_printf (_("The option %s needs a value. Run “exitbox --help” to see "
                                   "what it takes."), name);
              exitbox_cli_print_error (message);
              return -1;
            }
          value = argv[++i];

          /* "exitbox --memory shell" most likely forgot the value. */
          if (g_str_equal (value, "run") || g_str_equal (value, "shell") ||
              g_strv_contains (command_names, value) || exitbox_agent_lookup (value) != NULL)
            {
              g_autofree char *name = dup_option_name (spec);
              g_autofree char *message =
                g_strdup_printf (_("The option %s needs a value, but the command “%s” follows "
                                   "it. Put the value right after the option."),
                                 name, value);
              exitbox_cli_print_error (message);
              return -1;
            }
        }

      if (spec->kind == OPTION_COMMA_LIST && value[strspn (value, ", \t")] == '\0')
        {
          g_autofree char *name = dup_option_name (spec);
          g_autofree char *message =
            g_strdup_printf (_("The option %s got “%s”, which names nothing. Give one or more "
                               "names, separated by commas."),
                             name, value);
          exitbox_cli_print_error (message);
          return -1;
        }

      store_option (options, spec, value);
      *out_session_option |= spec->session;
    }

  return i;
}

/* Checks that a command which takes no arguments got none. */
static gboolean
check_no_arguments (const char  *command,
                    char       **args)
{
  g_autofree char *message = NULL;

  if (args[0] == NULL)
    return TRUE;

  message = g_strdup_printf (_("“%s” takes no arguments, but got “%s”."), command, args[0]);
  exitbox_cli_print_error (message);
  return FALSE;
}

/* @word as a user would type it in a shell: quoted only when it has
 * characters a shell would treat specially. For messages only; ExitBox
 * never runs a shell with it.
 */
static char *
dup_shell_word (const char *word)
{
  if (*word != '\0' && strpbrk (word, " \t\n'\"\\$`*?[]{}()<>|&;!#~") == NULL)
    return g_strdup (word);

  return g_shell_quote (word);
}

/* Returns 0 on success, or the exit status to stop with. */
static int
parse_arguments (int          argc,
                 char        *argv[],
                 CliOptions  *options)
{
  gboolean session_option = FALSE;
  const char *word;
  int i;

  i = parse_global_options (argc, argv, options, &session_option);
  if (i < 0)
    return 2;

  if (i >= argc)
    {
      print_usage (stderr);
      return 2;
    }

  word = argv[i];

  if (g_str_equal (word, "help"))
    {
      print_usage (stdout);
      exit (0);
    }
  else if (g_str_equal (word, "run"))
    {
      maybe_print_command_help ("run", argv[i + 1]);
      if (i + 1 >= argc)
        {
          exitbox_cli_print_error (_("“run” needs an agent name: claude, codex or opencode."));
          return 2;
        }
      options->command = "run";
      options->agent_id = argv[i + 1];
      options->args = g_strdupv (&argv[i + 2]);
    }
  else if (g_str_equal (word, "shell"))
    {
      int first = i + 1;

      maybe_print_command_help ("shell", argv[first]);
      if (first < argc && g_str_equal (argv[first], "--"))
        first++;
      else if (first < argc && argv[first][0] == '-')
        {
          const char *inline_value = NULL;
          const OptionSpec *spec = find_option (argv[first], &inline_value);
          g_autofree char *example = NULL;
          g_autofree char *message = NULL;

          /* The example keeps the option's value, quoted for a shell. */
          if (spec != NULL && spec->kind != OPTION_FLAG && inline_value == NULL &&
              first + 1 < argc)
            {
              g_autofree char *value = dup_shell_word (argv[first + 1]);

              example = g_strdup_printf ("%s %s", argv[first], value);
            }
          else
            example = dup_shell_word (argv[first]);

          message = g_strdup_printf (_("ExitBox options go before “shell”, for example "
                                       "“exitbox %s shell”; a command to run goes after “--”."),
                                     example);
          exitbox_cli_print_error (message);
          return 2;
        }
      else if (first < argc)
        {
          g_autofree char *message =
            g_strdup_printf (_("Put “--” before the command to run in the shell: "
                               "exitbox shell -- %s"), argv[first]);
          exitbox_cli_print_error (message);
          return 2;
        }
      options->command = "shell";
      options->args = g_strdupv (&argv[first]);
    }
  else if (exitbox_agent_lookup (word) != NULL && i + 1 < argc &&
           g_str_equal (argv[i + 1], "profile"))
    {
      options->command = "profile";
      options->agent_id = word;
      options->args = g_strdupv (&argv[i + 2]);
    }
  else if (exitbox_agent_lookup (word) != NULL)
    {
      options->command = "run";
      options->agent_id = word;
      options->args = g_strdupv (&argv[i + 1]);
    }
  else
    {
      if (!g_strv_contains (command_names, word))
        {
          g_autofree char *message =
            g_strdup_printf (_("Unknown command or agent “%s”. Run “exitbox --help” to see "
                               "the commands."),
                             word);
          exitbox_cli_print_error (message);
          return 2;
        }

      /* --help anywhere before "--" prints the command's help, as in
       * "exitbox firewall check --help".
       */
      for (int j = i + 1; j < argc && !g_str_equal (argv[j], "--"); j++)
        maybe_print_command_help (word, argv[j]);
      options->command = word;
      options->args = g_strdupv (&argv[i + 1]);
    }

  if (session_option && !g_str_equal (options->command, "run") &&
      !g_str_equal (options->command, "shell"))
    {
      g_autofree char *message =
        g_strdup_printf (_("The options -r, -f, -n, -u, -e, -i, -t, -a, --force, --memory and "
                           "--cpus apply to agent sessions and the shell, not to “%s”."),
                         options->command);
      exitbox_cli_print_error (message);
      return 2;
    }

  if (g_str_equal (options->command, "list") && !check_no_arguments ("list", options->args))
    return 2;

  if (g_str_equal (options->command, "enable") || g_str_equal (options->command, "disable"))
    {
      if (options->args[0] == NULL)
        {
          g_autofree char *message =
            g_strdup_printf (_("“%s” needs an agent name: claude, codex or opencode."),
                             options->command);
          exitbox_cli_print_error (message);
          return 2;
        }
      if (options->args[1] != NULL)
        {
          g_autofree char *message =
            g_strdup_printf (_("“%s” takes one agent name, but also got “%s”."),
                             options->command, options->args[1]);
          exitbox_cli_print_error (message);
          return 2;
        }
      /* Agent ids are lower case, so "Claude" means claude. */
      for (char *p = options->args[0]; *p != '\0'; p++)
        *p = g_ascii_tolower (*p);
      options->agent_id = options->args[0];
    }

  if (options->agent_id != NULL && exitbox_agent_lookup (options->agent_id) == NULL)
    {
      g_autofree char *message =
        g_strdup_printf (_("Unknown agent “%s”. The agents are claude, codex and opencode."),
                         options->agent_id);
      exitbox_cli_print_error (message);
      return 2;
    }

  return 0;
}

ExitboxConfig *
exitbox_cli_load_config_or_default (void)
{
  g_autofree char *config_dir = exitbox_dup_config_dir ();
  g_autofree char *config_path = g_build_filename (config_dir, "config.yaml", NULL);
  ExitboxConfig *config = exitbox_config_load_file (config_path, NULL);

  return config != NULL ? config : exitbox_config_new_default ();
}

ExitboxEngine *
exitbox_cli_detect_engine (ExitboxConfig  *config,
                           GError        **error)
{
  g_autoptr(ExitboxConfig) loaded = NULL;

  if (config == NULL)
    config = loaded = exitbox_cli_load_config_or_default ();

  return exitbox_engine_detect_with_setting (
    exitbox_config_runtime_to_string (exitbox_config_get_runtime (config)), error);
}

/* Loads both files, writing the defaults on first run. */
static gboolean
load_configuration (CliContext  *context,
                    GError     **error)
{
  g_autofree char *config_dir = exitbox_dup_config_dir ();
  g_autofree char *config_path = g_build_filename (config_dir, "config.yaml", NULL);
  g_autofree char *allowlist_path = g_build_filename (config_dir, "allowlist.yaml", NULL);

  if (!exitbox_cli_ensure_configured (config_dir, error))
    return FALSE;

  context->config = exitbox_config_load_file (config_path, error);
  if (context->config == NULL)
    return FALSE;

  for (const char * const *notice = exitbox_config_get_notices (context->config);
       notice != NULL && *notice != NULL;
       notice++)
    g_printerr (_("Note: %s\n"), *notice);

  context->allowlist = exitbox_allowlist_load_file (allowlist_path);
  for (const char * const *warning = exitbox_allowlist_get_warnings (context->allowlist);
       warning != NULL && *warning != NULL;
       warning++)
    g_printerr (_("Warning: %s\n"), *warning);

  return TRUE;
}

/* Writes agents.AGENT.enabled into config.yaml, keeping the rest of the
 * file as the user wrote it.
 */
static int
set_agent_enabled (const CliOptions *options)
{
  const ExitboxAgentInfo *agent = exitbox_agent_lookup (options->agent_id);
  gboolean enabled = g_str_equal (options->command, "enable");
  g_autofree char *config_dir = exitbox_dup_config_dir ();
  g_autofree char *config_path = g_build_filename (config_dir, "config.yaml", NULL);
  g_autoptr(GError) error = NULL;
  gboolean changed = FALSE;

  if (!exitbox_cli_ensure_configured (config_dir, &error))
    {
      exitbox_cli_print_error (error->message);
      return 1;
    }

  if (!exitbox_config_set_agent_enabled_in_file (config_path, agent->id, enabled, &changed, &error))
    {
      exitbox_cli_print_error (error->message);
      return 1;
    }

  if (changed && enabled)
    g_print (_("Enabled %s in %s\n"), agent->display_name, config_path);
  else if (changed)
    g_print (_("Disabled %s in %s\n"), agent->display_name, config_path);
  else if (enabled)
    g_print (_("%s is already enabled in %s\n"), agent->display_name, config_path);
  else
    g_print (_("%s is already disabled in %s\n"), agent->display_name, config_path);

  if (enabled && !agent->installable)
    g_print (_("Note: ExitBox cannot install or launch %s yet, so “exitbox %s” fails until "
               "a later version adds it.\n"),
             agent->display_name, agent->id);

  return 0;
}

static void
on_build_progress (ExitboxImageBuilder *images,
                   const char          *layer,
                   const char          *message,
                   gpointer             user_data)
{
  g_printerr ("[%s] %s\n", layer, message);
}

static void
on_build_output (ExitboxImageBuilder *images,
                 const char          *line,
                 gpointer             user_data)
{
  g_printerr ("  %s\n", line);
}

/* Seconds a session may take to end after ExitBox passed it a signal,
 * before ExitBox stops its container.
 */
#define SIGNAL_GRACE_SECONDS 10

typedef struct
{
  ExitboxEngine *engine;
  GSubprocess   *process;
  const char    *container_name;
  gboolean       interactive;
  guint          stop_source;
} SessionProcess;

static gboolean
on_signal_grace_over (gpointer user_data)
{
  SessionProcess *session = user_data;
  const char * const args[] = { "stop", "--time", "5", session->container_name, NULL };
  g_autoptr(GError) error = NULL;

  session->stop_source = 0;
  if (!exitbox_engine_run_checked (session->engine, args, NULL, NULL, &error))
    g_printerr (_("exitbox: the session did not end after the signal, and stopping its "
                  "container failed: %s\n"), error->message);

  return G_SOURCE_REMOVE;
}

/* Passes @signum to the engine's client, which passes it on to the
 * container, so `kill` on exitbox reaches the agent. A terminal's Ctrl+C
 * needs no help: in a session with a terminal, raw mode sends it to the
 * container as a character, and without one the terminal signals the engine
 * too. If the session has not ended after SIGNAL_GRACE_SECONDS, its
 * container is stopped. ExitBox itself stays to clean up and to report the
 * exit status.
 */
static void
forward_signal (SessionProcess *session,
                int             signum)
{
  g_subprocess_send_signal (session->process, signum);

  if (session->stop_source == 0 && session->container_name != NULL)
    session->stop_source = g_timeout_add_seconds (SIGNAL_GRACE_SECONDS, on_signal_grace_over,
                                                  session);
}

static gboolean
on_sigint (gpointer user_data)
{
  SessionProcess *session = user_data;

  if (session->interactive)
    forward_signal (session, SIGINT);

  return G_SOURCE_CONTINUE;
}

static gboolean
on_sigterm (gpointer user_data)
{
  forward_signal (user_data, SIGTERM);
  return G_SOURCE_CONTINUE;
}

/* A closed terminal: the agent cannot be used any more, so it ends. */
static gboolean
on_sighup (gpointer user_data)
{
  forward_signal (user_data, SIGHUP);
  return G_SOURCE_CONTINUE;
}

static int
spawn_and_wait (ExitboxEngine  *engine,
                char          **argv,
                const char     *container_name,
                gboolean        interactive,
                GError        **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  SessionProcess session = { 0 };
  guint signal_ids[3];
  int status;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_INHERIT);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, error);
  if (process == NULL)
    return -1;

  session.engine = engine;
  session.process = process;
  session.container_name = container_name;
  session.interactive = interactive;
  signal_ids[0] = g_unix_signal_add (SIGINT, on_sigint, &session);
  signal_ids[1] = g_unix_signal_add (SIGTERM, on_sigterm, &session);
  signal_ids[2] = g_unix_signal_add (SIGHUP, on_sighup, &session);

  /* The main context keeps running so that the session's allow requests
   * are served while the engine runs.
   */
  g_subprocess_wait_async (process, NULL, exitbox_cli_on_async_ready, &result);
  exitbox_cli_wait_for_result (&result);

  if (!g_subprocess_wait_finish (process, result, error))
    status = -1;
  else if (g_subprocess_get_if_exited (process))
    status = g_subprocess_get_exit_status (process);
  else
    status = 128 + g_subprocess_get_term_sig (process);

  for (guint i = 0; i < G_N_ELEMENTS (signal_ids); i++)
    g_source_remove (signal_ids[i]);
  g_clear_handle_id (&session.stop_source, g_source_remove);

  return status;
}

static const char * const *
dup_list_view (GPtrArray *list)
{
  if (list == NULL)
    return NULL;

  /* The arrays own their strings; a NULL at the end makes a strv view. */
  if (list->len == 0 || g_ptr_array_index (list, list->len - 1) != NULL)
    g_ptr_array_add (list, NULL);

  return (const char * const *) list->pdata;
}

/* Appends the packages of -t to tools.user in config.yaml and loads the
 * configuration again, so the image built next contains them.
 */
static gboolean
persist_tools (CliContext       *context,
               const CliOptions *options)
{
  g_autofree char *config_dir = exitbox_dup_config_dir ();
  g_autofree char *config_path = g_build_filename (config_dir, "config.yaml", NULL);
  g_autoptr(GPtrArray) added = NULL;
  g_autoptr(GError) error = NULL;
  ExitboxConfig *reloaded;

  if (!exitbox_config_add_user_tools_in_file (config_path, dup_list_view (options->tools), &added,
                                              &error))
    {
      exitbox_cli_print_error (error->message);
      return FALSE;
    }

  if (added->len == 0)
    return TRUE;

  for (guint i = 0; i < added->len; i++)
    g_printerr (_("Added %s to tools.user in %s\n"), (const char *) g_ptr_array_index (added, i),
                config_path);

  reloaded = exitbox_config_load_file (config_path, &error);
  if (reloaded == NULL)
    {
      exitbox_cli_print_error (error->message);
      return FALSE;
    }

  g_set_object (&context->config, reloaded);
  g_object_unref (reloaded);
  return TRUE;
}

/* Builds the agent's layers again when a newer release exists. */
static gboolean
check_for_update (ExitboxLauncher  *launcher,
                  const char       *agent_id,
                  ExitboxProject   *project,
                  GError          **error)
{
  ExitboxImageBuilder *builder = exitbox_launcher_get_image_builder (launcher);
  g_autoptr(GAsyncResult) result = NULL;

  exitbox_image_builder_set_check_updates (builder, TRUE);
  exitbox_image_builder_ensure_async (builder, NULL, agent_id, exitbox_project_get_key (project),
                                      NULL, exitbox_cli_on_async_ready, &result);
  return exitbox_image_builder_ensure_finish (builder, exitbox_cli_wait_for_result (&result),
                                              error);
}

/* Errors about the user's input or settings end with status 1, anything
 * else that stopped the launch is the engine's failure.
 */
static int
exit_status_for_prepare_error (const GError *error)
{
  if (error->domain == EXITBOX_CONFIG_ERROR ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA))
    return 1;

  return EXITBOX_CLI_EXIT_ENGINE;
}

static int
run_session (CliContext       *context,
             const CliOptions *options)
{
  g_autoptr(ExitboxLauncher) launcher = NULL;
  g_autoptr(ExitboxProject) project = NULL;
  g_autoptr(ExitboxLaunchPlan) plan = NULL;
  g_autoptr(ExitboxSessionLog) log = NULL;
  g_autoptr(ExitboxAllowListener) allow_listener = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) log_error = NULL;
  g_autoptr(ExitboxLoginRelay) login_relay = NULL;
  g_autoptr(GError) relay_error = NULL;
  g_autofree char *cwd = g_get_current_dir ();
  ExitboxLaunchRequest request = { 0 };
  int status;

  project = exitbox_project_new (cwd, &error);
  if (project == NULL)
    {
      exitbox_cli_print_error (error->message);
      return 1;
    }

  if (!options->force && !exitbox_project_check_safe (project, &error))
    {
      exitbox_cli_print_error (error->message);
      g_printerr (_("Run ExitBox inside a project folder, or pass --force before the agent "
                    "name to use this folder anyway.\n"));
      return 1;
    }

  request.agent_id = options->agent_id;
  request.project = project;
  request.args = (const char * const *) options->args;
  request.read_only = options->read_only;
  request.force = options->force;
  request.interactive = isatty (STDIN_FILENO) && isatty (STDOUT_FILENO);
  request.terminal_status_line = TRUE;
  request.no_firewall = options->no_firewall;
  request.allow_entries = dup_list_view (options->allow_entries);
  request.no_env = options->no_env;
  request.env = dup_list_view (options->env);
  request.include_dirs = dup_list_view (options->include_dirs);
  request.memory = options->memory;
  request.cpus = options->cpus;

  /* Bad option values are reported before ExitBox looks for an engine. */
  if (!exitbox_launch_request_check (&request, context->config, &error))
    {
      exitbox_cli_print_error (error->message);
      return 2;
    }

  if (options->tools != NULL && !persist_tools (context, options))
    return 2;

  context->engine = exitbox_cli_detect_engine (context->config, &error);
  if (context->engine == NULL)
    {
      exitbox_cli_print_error (error->message);
      return EXITBOX_CLI_EXIT_ENGINE;
    }

  launcher = exitbox_launcher_new (context->engine, context->config, context->allowlist);
  exitbox_cli_apply_allow_unverified (exitbox_launcher_get_image_builder (launcher), options);
  g_signal_connect (exitbox_launcher_get_image_builder (launcher), "progress",
                    G_CALLBACK (on_build_progress), NULL);
  if (options->verbose)
    g_signal_connect (exitbox_launcher_get_image_builder (launcher), "output",
                      G_CALLBACK (on_build_output), NULL);

  /* -u and settings.auto_update look up the agent's latest release first;
   * otherwise no version check happens on launch.
   */
  if (options->agent_id != NULL &&
      (options->update || exitbox_config_get_auto_update (context->config)) &&
      !check_for_update (launcher, options->agent_id, project, &error))
    {
      exitbox_cli_print_error (error->message);
      return exit_status_for_prepare_error (error);
    }

  allow_listener = exitbox_cli_start_allow_listener (launcher, &request);

  exitbox_launcher_prepare_async (launcher, &request, NULL, exitbox_cli_on_async_ready, &result);
  plan = exitbox_launcher_prepare_finish (launcher, exitbox_cli_wait_for_result (&result), &error);
  if (plan == NULL)
    {
      exitbox_cli_print_error (error->message);
      return exit_status_for_prepare_error (error);
    }

  if (allow_listener != NULL && plan->session_address != NULL)
    exitbox_allow_listener_set_session (allow_listener, plan->container_name, options->agent_id,
                                        exitbox_project_get_path (project));
  else if (allow_listener != NULL)
    exitbox_allow_listener_close (allow_listener);

  for (guint i = 0; plan->notices[i] != NULL; i++)
    g_printerr ("%s\n", plan->notices[i]);
  for (guint i = 0; plan->warnings[i] != NULL; i++)
    g_printerr (_("Warning: %s\n"), plan->warnings[i]);

  if (options->verbose)
    {
      GString *line = g_string_new (NULL);

      for (guint i = 0; plan->argv[i] != NULL; i++)
        {
          g_autofree char *quoted = g_shell_quote (plan->argv[i]);

          if (i > 0)
            g_string_append_c (line, ' ');
          g_string_append (line, quoted);
        }
      /* For display only: the engine is started from the argv array. */
      g_printerr (_("Engine command: %s\n"), line->str);
      g_string_free (line, TRUE);
    }

  log = exitbox_session_log_begin (exitbox_project_get_path (project), options->agent_id,
                                   plan->container_name, plan->image,
                                   (const char * const *) plan->argv, &log_error);
  if (log == NULL)
    g_printerr (_("Warning: %s\n"), log_error->message);

  /* Codex's login callback reaches the container only through this relay,
   * which lives as long as the session.
   */
  login_relay = exitbox_login_relay_new_for_agent (context->engine, options->agent_id,
                                                   plan->container_name);
  if (login_relay != NULL && !exitbox_login_relay_start (login_relay, &relay_error))
    g_printerr (_("Warning: %s\n"), relay_error->message);

  status = spawn_and_wait (context->engine, plan->argv, plan->container_name,
                           request.interactive, &error);
  if (login_relay != NULL)
    exitbox_login_relay_stop (login_relay);
  exitbox_launch_plan_clean_up (plan);
  if (allow_listener != NULL)
    exitbox_allow_listener_close (allow_listener);

  if (log != NULL &&
      !exitbox_session_log_end (log, status, status < 0 ? error->message : NULL, &log_error))
    g_printerr (_("Warning: %s\n"), log_error->message);

  if (status < 0)
    {
      exitbox_cli_print_error (error->message);
      g_clear_error (&error);
      status = EXITBOX_CLI_EXIT_ENGINE;
    }
  else if (status == EXITBOX_CLI_EXIT_ENGINE)
    g_printerr (_("The container engine failed to run the session (exit status %d); its "
                  "message is above.\n"),
                status);

  /* The container has exited: free its address and drop its -a rules. */
  g_clear_object (&result);
  exitbox_launcher_end_session_async (launcher, plan, NULL, exitbox_cli_on_async_ready, &result);
  if (!exitbox_launcher_end_session_finish (launcher, exitbox_cli_wait_for_result (&result),
                                            &error))
    {
      g_autofree char *message =
        g_strdup_printf (_("Failed to remove the session’s firewall rules: %s"), error->message);
      exitbox_cli_print_error (message);
    }
  else if (plan->session_address != NULL)
    exitbox_cli_schedule_proxy_stop (context->engine, context->config);

  return status;
}

/* Prints one line per agent: enabled or not, and its image state for the
 * project in the current folder. Each line starts with @indent.
 */
int
exitbox_cli_print_agents (ExitboxConfig *config,
                          ExitboxEngine *engine,
                          const char    *indent)
{
  g_autoptr(ExitboxImageBuilder) images = NULL;
  g_autoptr(ExitboxProject) project = NULL;
  g_autofree char *cwd = g_get_current_dir ();
  const ExitboxAgentInfo *agents;
  guint n_agents;

  project = exitbox_project_new (cwd, NULL);
  if (engine != NULL)
    images = exitbox_image_builder_new (engine, config);

  agents = exitbox_agent_get_all (&n_agents);
  for (guint i = 0; i < n_agents; i++)
    {
      const char *enabled = exitbox_config_get_agent_enabled (config, agents[i].id)
                            ? _("enabled") : _("disabled");
      g_autofree char *image_state = NULL;

      if (images == NULL || project == NULL)
        image_state = g_strdup (_("image state unknown"));
      else
        {
          g_auto(GStrv) names = exitbox_image_builder_dup_inspect_names (images, agents[i].id,
                                                                          exitbox_project_get_key (project));
          g_autoptr(ExitboxInspection) inspection =
            exitbox_engine_inspect (engine, (const char * const *) names, NULL, NULL);
          ExitboxImageState state = inspection != NULL
            ? exitbox_image_builder_get_state (images, inspection, agents[i].id,
                                               exitbox_project_get_key (project))
            : EXITBOX_IMAGE_STATE_MISSING;

          if (state == EXITBOX_IMAGE_STATE_BUILT)
            {
              const char *version = exitbox_image_builder_get_agent_version (images, inspection,
                                                                             agents[i].id);
              image_state = g_strdup_printf (_("built, version %s"), version != NULL ? version : "?");
            }
          else
            {
              /* The core can be installed while this project's image is not. */
              const char *core_version = inspection != NULL
                ? exitbox_image_builder_get_agent_version (images, inspection, agents[i].id)
                : NULL;

              if (state == EXITBOX_IMAGE_STATE_STALE)
                image_state = g_strdup (_("out of date"));
              else
                image_state = g_strdup (_("not built"));

              if (core_version != NULL)
                {
                  g_autofree char *with_version =
                    g_strdup_printf (_("%s for this project, version %s installed"),
                                     image_state, core_version);

                  g_free (image_state);
                  image_state = g_steal_pointer (&with_version);
                }
            }
        }

      g_print ("%s%-10s %-12s %-9s %s\n", indent, agents[i].id, agents[i].display_name, enabled,
               image_state);
    }

  return 0;
}

static int
run_doctor (CliContext       *context,
            const CliOptions *options)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxInspection) inspection = NULL;
  g_autofree char *base_image = exitbox_config_dup_effective_base_image (context->config);
  g_autofree char *version = NULL;
  g_autofree char *description = NULL;
  const char *names[] = { base_image, NULL };
  const char *test_image = NULL;
  gboolean fix = FALSE;
  gboolean assume_yes = FALSE;
  guint unresolved = 0;
  guint fixable_left = 0;

  for (guint i = 0; options->args[i] != NULL; i++)
    {
      if (g_str_equal (options->args[i], "--fix"))
        fix = TRUE;
      else if (g_str_equal (options->args[i], "--yes") || g_str_equal (options->args[i], "-y"))
        assume_yes = TRUE;
      else
        {
          g_autofree char *message =
            g_strdup_printf (_("Unknown doctor option “%s”. It takes --fix and --yes."),
                             options->args[i]);
          exitbox_cli_print_error (message);
          return 2;
        }
    }

  version = exitbox_engine_query_version (context->engine, NULL, NULL);
  description = exitbox_engine_dup_description (context->engine, version);
  g_print (_("Engine: %s\n"), description);

  inspection = exitbox_engine_inspect (context->engine, names, NULL, NULL);
  if (inspection != NULL && exitbox_inspection_has_image (inspection, base_image))
    test_image = base_image;
  else
    g_print (_("The base image %s is not available locally, so no test container is started. "
               "Set settings.base_image in config.yaml (or EXITBOX_BASE_IMAGE) to a local image.\n"),
             base_image);

  problems = exitbox_doctor_check (context->engine, test_image, NULL, &error);
  if (problems == NULL)
    {
      exitbox_cli_print_error (error->message);
      return 1;
    }

  if (problems->len == 0)
    {
      g_print (_("No problems found.\n"));
      return 0;
    }

  for (guint i = 0; i < problems->len; i++)
    {
      ExitboxDoctorProblem *problem = g_ptr_array_index (problems, i);
      gboolean apply = FALSE;

      g_print ("\n✗ %s\n  %s\n  %s %s\n", problem->summary, problem->explanation, _("Fix:"),
               problem->fix);

      if (problem->fixable)
        apply = fix && (assume_yes || exitbox_cli_confirm (_("Apply this fix?")));

      if (!apply)
        {
          unresolved++;
          fixable_left += problem->fixable ? 1 : 0;
          continue;
        }

      if (!exitbox_doctor_apply_fix (context->engine, problem, &error))
        {
          exitbox_cli_print_error (error->message);
          g_clear_error (&error);
          unresolved++;
          continue;
        }

      g_print (_("  Fixed.\n"));
    }

  if (fixable_left > 0 && !fix)
    g_print (_("\nRun “exitbox doctor --fix” to apply the fixes ExitBox can make itself.\n"));
  else if (unresolved > 0 && fixable_left == 0)
    g_print (_("\nExitBox cannot fix what is left by itself; follow the steps under "
               "“Fix:”.\n"));

  return unresolved == 0 ? 0 : 1;
}

int
exitbox_cli_main (int   argc,
                  char *argv[])
{
  g_auto(CliContext) context = { 0 };
  g_auto(CliOptions) options = { 0 };
  g_autoptr(GError) error = NULL;
  int status;

  setlocale (LC_ALL, "");
  exitbox_core_init ();
  textdomain (GETTEXT_PACKAGE);

  status = parse_arguments (argc, argv, &options);
  if (status != 0)
    return status;

  /* These only edit config.yaml, so they need no engine and no valid
   * allowlist.
   */
  if (g_str_equal (options.command, "setup"))
    return exitbox_cli_setup (&options);

  if (g_str_equal (options.command, "enable") || g_str_equal (options.command, "disable"))
    return set_agent_enabled (&options);

  /* These only edit or read allowlist.yaml. */
  if (g_str_equal (options.command, "allowlist"))
    return exitbox_cli_allowlist (&options);

  /* These read the project registry or the host's agent configuration. */
  if (g_str_equal (options.command, "projects"))
    return exitbox_cli_projects (&options);

  if (g_str_equal (options.command, "import"))
    return exitbox_cli_import (&options);

  if (g_str_equal (options.command, "logs"))
    return exitbox_cli_logs (&options);

  if (g_str_equal (options.command, "aliases"))
    return exitbox_cli_aliases (&options);

  if (g_str_equal (options.command, "completion"))
    return exitbox_cli_completion (&options);

  /* These read the proxy's state and files and change nothing. */
  if (g_str_equal (options.command, "firewall"))
    return exitbox_cli_firewall (&options);

  if (!load_configuration (&context, &error))
    {
      exitbox_cli_print_error (error->message);
      return 1;
    }

  if (g_str_equal (options.command, "profile"))
    return exitbox_cli_profile (&options, context.config);

  /* A session checks its options before it looks for an engine. */
  if (g_str_equal (options.command, "run") || g_str_equal (options.command, "shell"))
    return run_session (&context, &options);

  context.engine = exitbox_cli_detect_engine (context.config, &error);
  if (context.engine == NULL && !g_str_equal (options.command, "list") &&
      !g_str_equal (options.command, "info"))
    {
      exitbox_cli_print_error (error->message);
      return 1;
    }

  if (g_str_equal (options.command, "info"))
    return exitbox_cli_info (&options, context.config, context.engine, error);

  if (g_str_equal (options.command, "list"))
    return exitbox_cli_print_agents (context.config, context.engine, "");

  if (g_str_equal (options.command, "rebuild"))
    return exitbox_cli_rebuild (&options, context.config, context.engine);

  if (g_str_equal (options.command, "uninstall"))
    return exitbox_cli_uninstall (&options, context.engine);

  if (g_str_equal (options.command, "clean"))
    return exitbox_cli_clean (&options, context.engine);

  return run_doctor (&context, &options);
}
