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
#include "exitbox-core.h"

typedef struct
{
  gboolean    read_only;
  gboolean    verbose;
  gboolean    force;
  gboolean    fix;
  gboolean    assume_yes;
  const char *command;     /* "run", "shell", "list", "doctor", "setup", "enable", "disable",
                            * "allowlist"
                            */
  const char *agent_id;
  const char *allowlist_action;  /* "list", "add" or "remove" */
  const char *entry;
  const char *category;
  char      **args;        /* what follows the agent name, or the shell command */
} CliOptions;

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

static void
print_error (const char *message)
{
  g_printerr ("exitbox: %s\n", message);
}

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
             "  exitbox doctor [--fix] [--yes] Check the container engine and fix what it can\n"
             "  exitbox setup                  Choose roles, languages, tools and agents\n"
             "  exitbox enable AGENT           Set agents.AGENT.enabled to true in config.yaml\n"
             "  exitbox disable AGENT          Set agents.AGENT.enabled to false in config.yaml\n"
             "  exitbox allowlist list         List the allowlist categories and their entries\n"
             "  exitbox allowlist add ENTRY [--category NAME]\n"
             "                                 Allow ENTRY (default category: custom)\n"
             "  exitbox allowlist remove ENTRY Remove ENTRY from every category\n"
             "\n"
             "Agents: claude, codex, opencode\n"
             "\n"
             "Options (before the agent name; everything after it goes to the agent):\n"
             "  -r, --read-only   Mount the project folder read-only\n"
             "  -v, --verbose     Print the engine command line and the full build output\n"
             "      --force       Allow the home folder or “/” as the project folder\n"
             "  -h, --help        Show this help\n"
             "      --version     Show the ExitBox version\n"));
}

/* Parses what follows "allowlist". Returns 0 on success, or the exit
 * status to stop with.
 */
static int
parse_allowlist_arguments (int          argc,
                           char        *argv[],
                           CliOptions  *options)
{
  const char *action = argc > 0 ? argv[0] : NULL;

  options->command = "allowlist";

  if (action == NULL ||
      (!g_str_equal (action, "list") && !g_str_equal (action, "add") &&
       !g_str_equal (action, "remove")))
    {
      g_autofree char *message = NULL;

      if (action == NULL)
        message = g_strdup (_("“allowlist” needs an action: list, add ENTRY or remove ENTRY."));
      else
        message = g_strdup_printf (_("Unknown allowlist action “%s”. The actions are list, "
                                     "add ENTRY and remove ENTRY."),
                                   action);
      print_error (message);
      return 2;
    }

  options->allowlist_action = action;

  for (int j = 1; j < argc; j++)
    {
      if (g_str_equal (argv[j], "--category") && g_str_equal (action, "add"))
        {
          if (j + 1 >= argc)
            {
              print_error (_("“--category” needs a category name, such as “--category custom”."));
              return 2;
            }
          options->category = argv[++j];
        }
      else if (g_str_has_prefix (argv[j], "--category=") && g_str_equal (action, "add"))
        options->category = argv[j] + strlen ("--category=");
      else if (argv[j][0] == '-' && argv[j][1] != '\0')
        {
          g_autofree char *message =
            g_strdup_printf (_("Unknown allowlist option “%s”. Only “add” takes one: "
                               "--category NAME."), argv[j]);
          print_error (message);
          return 2;
        }
      else if (g_str_equal (action, "list"))
        {
          g_autofree char *message =
            g_strdup_printf (_("“allowlist list” takes no arguments, but got “%s”."), argv[j]);
          print_error (message);
          return 2;
        }
      else if (options->entry == NULL)
        options->entry = argv[j];
      else
        {
          g_autofree char *message =
            g_strdup_printf (_("“allowlist %s” got the extra argument “%s”. Quote an entry "
                               "and add or remove one at a time."),
                             action, argv[j]);
          print_error (message);
          return 2;
        }
    }

  if (options->entry == NULL && !g_str_equal (action, "list"))
    {
      g_autofree char *message =
        g_strdup_printf (_("“allowlist %s” needs an entry, for example “exitbox allowlist %s "
                           "example.com”."),
                         action, action);
      print_error (message);
      return 2;
    }

  return 0;
}

/* Returns 0 on success, or the exit status to stop with. */
static int
parse_arguments (int          argc,
                 char        *argv[],
                 CliOptions  *options)
{
  int status;
  int i;

  for (i = 1; i < argc; i++)
    {
      const char *arg = argv[i];

      if (g_str_equal (arg, "-r") || g_str_equal (arg, "--read-only"))
        options->read_only = TRUE;
      else if (g_str_equal (arg, "-v") || g_str_equal (arg, "--verbose"))
        options->verbose = TRUE;
      else if (g_str_equal (arg, "--force"))
        options->force = TRUE;
      else if (g_str_equal (arg, "-h") || g_str_equal (arg, "--help") || g_str_equal (arg, "help"))
        {
          print_usage (stdout);
          exit (0);
        }
      else if (g_str_equal (arg, "--version"))
        {
          g_print ("exitbox %s\n", PACKAGE_VERSION);
          exit (0);
        }
      else if (arg[0] == '-')
        {
          g_autofree char *message =
            g_strdup_printf (_("Unknown option “%s”. Run “exitbox --help” to see the options."), arg);
          print_error (message);
          return 2;
        }
      else
        break;
    }

  if (i >= argc)
    {
      print_usage (stderr);
      return 2;
    }

  if (g_str_equal (argv[i], "run"))
    {
      if (i + 1 >= argc)
        {
          print_error (_("“run” needs an agent name: claude, codex or opencode."));
          return 2;
        }
      options->command = "run";
      options->agent_id = argv[i + 1];
      options->args = g_strdupv (&argv[i + 2]);
    }
  else if (g_str_equal (argv[i], "shell"))
    {
      int first = i + 1;

      if (first < argc && g_str_equal (argv[first], "--"))
        first++;
      else if (first < argc && argv[first][0] == '-')
        {
          g_autofree char *message =
            g_strdup_printf (_("ExitBox options go before “shell”, for example "
                               "“exitbox %s shell”; a command to run goes after “--”."),
                             argv[first]);
          print_error (message);
          return 2;
        }
      else if (first < argc)
        {
          g_autofree char *message =
            g_strdup_printf (_("Put “--” before the command to run in the shell: "
                               "exitbox shell -- %s"), argv[first]);
          print_error (message);
          return 2;
        }
      options->command = "shell";
      options->args = g_strdupv (&argv[first]);
    }
  else if (g_str_equal (argv[i], "list"))
    {
      if (i + 1 < argc)
        {
          g_autofree char *message =
            g_strdup_printf (_("“list” takes no arguments, but got “%s”."), argv[i + 1]);
          print_error (message);
          return 2;
        }
      options->command = "list";
    }
  else if (g_str_equal (argv[i], "doctor"))
    {
      options->command = "doctor";
      for (int j = i + 1; j < argc; j++)
        {
          if (g_str_equal (argv[j], "--fix"))
            options->fix = TRUE;
          else if (g_str_equal (argv[j], "--yes") || g_str_equal (argv[j], "-y"))
            options->assume_yes = TRUE;
          else
            {
              g_autofree char *message =
                g_strdup_printf (_("Unknown doctor option “%s”. It takes --fix and --yes."), argv[j]);
              print_error (message);
              return 2;
            }
        }
    }
  else if (g_str_equal (argv[i], "setup"))
    {
      if (i + 1 < argc)
        {
          g_autofree char *message =
            g_strdup_printf (_("“setup” takes no arguments, but got “%s”."), argv[i + 1]);
          print_error (message);
          return 2;
        }
      options->command = "setup";
    }
  else if (g_str_equal (argv[i], "enable") || g_str_equal (argv[i], "disable"))
    {
      if (i + 1 >= argc)
        {
          g_autofree char *message =
            g_strdup_printf (_("“%s” needs an agent name: claude, codex or opencode."), argv[i]);
          print_error (message);
          return 2;
        }
      if (i + 2 < argc)
        {
          g_autofree char *message =
            g_strdup_printf (_("“%s” takes one agent name, but also got “%s”."),
                             argv[i], argv[i + 2]);
          print_error (message);
          return 2;
        }
      options->command = argv[i];
      options->agent_id = argv[i + 1];
    }
  else if (g_str_equal (argv[i], "allowlist"))
    {
      status = parse_allowlist_arguments (argc - i - 1, &argv[i + 1], options);
      if (status != 0)
        return status;
    }
  else if (exitbox_agent_lookup (argv[i]) != NULL)
    {
      options->command = "run";
      options->agent_id = argv[i];
      options->args = g_strdupv (&argv[i + 1]);
    }
  else
    {
      g_autofree char *message =
        g_strdup_printf (_("Unknown command or agent “%s”. Run “exitbox --help” to see the commands."),
                         argv[i]);
      print_error (message);
      return 2;
    }

  if (options->agent_id != NULL && exitbox_agent_lookup (options->agent_id) == NULL)
    {
      g_autofree char *message =
        g_strdup_printf (_("Unknown agent “%s”. The agents are claude, codex and opencode."),
                         options->agent_id);
      print_error (message);
      return 2;
    }

  return 0;
}

/* Loads both files, writing the defaults on first run. */
static gboolean
load_configuration (CliContext  *context,
                    GError     **error)
{
  g_autofree char *config_dir = exitbox_dup_config_dir ();
  g_autofree char *config_path = g_build_filename (config_dir, "config.yaml", NULL);
  g_autofree char *allowlist_path = g_build_filename (config_dir, "allowlist.yaml", NULL);
  gboolean created = FALSE;

  if (!exitbox_config_ensure_defaults (config_dir, &created, error))
    return FALSE;

  if (created)
    g_printerr (_("Wrote the default configuration to %s\n"), config_dir);

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
  gboolean created = FALSE;
  gboolean changed = FALSE;

  if (!exitbox_config_ensure_defaults (config_dir, &created, &error))
    {
      print_error (error->message);
      return 1;
    }

  if (created)
    g_printerr (_("Wrote the default configuration to %s\n"), config_dir);

  if (!exitbox_config_set_agent_enabled_in_file (config_path, agent->id, enabled, &changed, &error))
    {
      print_error (error->message);
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

/* Prints the categories of allowlist.yaml with their entries as written. */
static int
list_allowlist (ExitboxAllowlist *allowlist,
                const char       *path)
{
  const char * const *categories = exitbox_allowlist_get_categories (allowlist);
  ExitboxAllowlistStatus status = exitbox_allowlist_get_status (allowlist);

  g_print (_("Allowlist file: %s\n"), path);

  if (exitbox_allowlist_get_problem (allowlist) != NULL)
    g_print ("%s\n", exitbox_allowlist_get_problem (allowlist));

  for (guint i = 0; categories[i] != NULL; i++)
    {
      GPtrArray *items = exitbox_allowlist_get_category_items (allowlist, categories[i]);

      g_print ("\n%s:\n", categories[i]);
      if (items->len == 0)
        g_print (_("  (no entries)\n"));

      for (guint j = 0; j < items->len; j++)
        {
          ExitboxAllowlistItem *item = g_ptr_array_index (items, j);

          if (item->canonical == NULL)
            g_print (_("  %s  (invalid, ignored)\n"), item->text);
          else if (item->disabled)
            g_print (_("  %s  (disabled)\n"), item->text);
          else
            g_print ("  %s\n", item->text);
        }
    }

  for (const char * const *warning = exitbox_allowlist_get_warnings (allowlist);
       *warning != NULL;
       warning++)
    g_printerr (_("Warning: %s\n"), *warning);

  return status == EXITBOX_ALLOWLIST_STATUS_MISSING ||
         status == EXITBOX_ALLOWLIST_STATUS_INVALID ? 1 : 0;
}

/* Lists, adds or removes allowlist entries, editing only the lines of the
 * entries in allowlist.yaml.
 */
static int
run_allowlist_command (const CliOptions *options)
{
  g_autofree char *config_dir = exitbox_dup_config_dir ();
  g_autofree char *allowlist_path = g_build_filename (config_dir, "allowlist.yaml", NULL);
  g_autofree char *message = NULL;
  g_autoptr(GError) error = NULL;
  gboolean created = FALSE;

  if (!exitbox_config_ensure_defaults (config_dir, &created, &error))
    {
      print_error (error->message);
      return 1;
    }

  if (created)
    g_printerr (_("Wrote the default configuration to %s\n"), config_dir);

  if (g_str_equal (options->allowlist_action, "list"))
    {
      g_autoptr(ExitboxAllowlist) allowlist = exitbox_allowlist_load_file (allowlist_path);

      return list_allowlist (allowlist, allowlist_path);
    }

  if (g_str_equal (options->allowlist_action, "add"))
    message = exitbox_allowlist_add_entry_in_file (allowlist_path, options->entry,
                                                   options->category, &error);
  else
    message = exitbox_allowlist_remove_entry_in_file (allowlist_path, options->entry, &error);

  if (message == NULL)
    {
      print_error (error->message);
      return 1;
    }

  g_print ("%s\n", message);
  g_print (_("The proxy applies the change at the next launch. Running sessions keep "
             "their current rules.\n"));
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

static void
on_async_ready (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GAsyncResult **out_result = user_data;

  *out_result = g_object_ref (result);
  g_main_context_wakeup (NULL);
}

static GAsyncResult *
wait_for_result (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *result;
}

static gboolean
on_interrupt (gpointer user_data)
{
  /* The engine in the foreground received the same signal from the
   * terminal; ExitBox stays to report its exit status.
   */
  return G_SOURCE_CONTINUE;
}

static int
spawn_and_wait (ExitboxEngine  *engine,
                char          **argv,
                GError        **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  guint sigint_id;
  guint sigterm_id;
  int status;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_INHERIT);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, error);
  if (process == NULL)
    return -1;

  sigint_id = g_unix_signal_add (SIGINT, on_interrupt, NULL);
  sigterm_id = g_unix_signal_add (SIGTERM, on_interrupt, NULL);

  if (!g_subprocess_wait (process, NULL, error))
    status = -1;
  else if (g_subprocess_get_if_exited (process))
    status = g_subprocess_get_exit_status (process);
  else
    status = 128 + g_subprocess_get_term_sig (process);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  return status;
}

static int
run_session (CliContext       *context,
             const CliOptions *options)
{
  g_autoptr(ExitboxLauncher) launcher = NULL;
  g_autoptr(ExitboxProject) project = NULL;
  g_autoptr(ExitboxLaunchPlan) plan = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cwd = g_get_current_dir ();
  ExitboxLaunchRequest request = { 0 };
  int status;

  project = exitbox_project_new (cwd, &error);
  if (project == NULL)
    {
      print_error (error->message);
      return 1;
    }

  if (!options->force && !exitbox_project_check_safe (project, &error))
    {
      print_error (error->message);
      g_printerr (_("Run ExitBox inside a project folder, or pass --force before the agent "
                    "name to use this folder anyway.\n"));
      return 1;
    }

  launcher = exitbox_launcher_new (context->engine, context->config, context->allowlist);
  g_signal_connect (exitbox_launcher_get_image_builder (launcher), "progress",
                    G_CALLBACK (on_build_progress), NULL);
  if (options->verbose)
    g_signal_connect (exitbox_launcher_get_image_builder (launcher), "output",
                      G_CALLBACK (on_build_output), NULL);

  request.agent_id = options->agent_id;
  request.project = project;
  request.args = (const char * const *) options->args;
  request.read_only = options->read_only;
  request.force = options->force;
  request.interactive = isatty (STDIN_FILENO) && isatty (STDOUT_FILENO);

  exitbox_launcher_prepare_async (launcher, &request, NULL, on_async_ready, &result);
  plan = exitbox_launcher_prepare_finish (launcher, wait_for_result (&result), &error);
  if (plan == NULL)
    {
      print_error (error->message);
      return 1;
    }

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

  status = spawn_and_wait (context->engine, plan->argv, &error);
  if (status < 0)
    {
      print_error (error->message);
      return 1;
    }

  return status;
}

static int
list_agents (CliContext *context)
{
  g_autoptr(ExitboxImageBuilder) images = NULL;
  g_autoptr(ExitboxProject) project = NULL;
  g_autofree char *cwd = g_get_current_dir ();
  const ExitboxAgentInfo *agents;
  guint n_agents;

  project = exitbox_project_new (cwd, NULL);
  if (context->engine != NULL)
    images = exitbox_image_builder_new (context->engine, context->config);

  agents = exitbox_agent_get_all (&n_agents);
  for (guint i = 0; i < n_agents; i++)
    {
      const char *enabled = exitbox_config_get_agent_enabled (context->config, agents[i].id)
                            ? _("enabled") : _("disabled");
      g_autofree char *image_state = NULL;

      if (images == NULL || project == NULL)
        image_state = g_strdup (_("image state unknown"));
      else
        {
          g_auto(GStrv) names = exitbox_image_builder_dup_inspect_names (images, agents[i].id,
                                                                          exitbox_project_get_key (project));
          g_autoptr(ExitboxInspection) inspection =
            exitbox_engine_inspect (context->engine, (const char * const *) names, NULL, NULL);
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
          else if (state == EXITBOX_IMAGE_STATE_STALE)
            image_state = g_strdup (_("out of date"));
          else
            image_state = g_strdup (_("not built"));
        }

      g_print ("%-10s %-12s %-9s %s\n", agents[i].id, agents[i].display_name, enabled, image_state);
    }

  return 0;
}

static gboolean
confirm (const char *question)
{
  char answer[16] = { 0 };

  if (!isatty (STDIN_FILENO))
    return FALSE;

  g_print ("%s [y/N] ", question);
  if (fgets (answer, sizeof answer, stdin) == NULL)
    return FALSE;

  return answer[0] == 'y' || answer[0] == 'Y';
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
  guint unresolved = 0;

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
      print_error (error->message);
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
        apply = options->fix && (options->assume_yes || confirm (_("Apply this fix?")));

      if (!apply)
        {
          unresolved++;
          continue;
        }

      if (!exitbox_doctor_apply_fix (context->engine, problem, &error))
        {
          print_error (error->message);
          g_clear_error (&error);
          unresolved++;
          continue;
        }

      g_print (_("  Fixed.\n"));
    }

  if (unresolved > 0 && !options->fix)
    g_print (_("\nRun “exitbox doctor --fix” to apply the fixes ExitBox can make itself.\n"));

  return unresolved == 0 ? 0 : 1;
}

/* The setup wizard in the terminal. Each screen lists numbered items and
 * reads one line, and ExitboxWizard stores the choices and writes them.
 */

/* Reads one line from stdin without its line ending, or returns NULL at the
 * end of input.
 */
static char *
read_answer (void)
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

/* Parses space- or comma-separated item numbers from 1 to @n_items into
 * @out_numbers, which must be freed with g_array_unref(). Prints a message
 * naming the first invalid value and returns FALSE.
 */
static gboolean
parse_numbers (const char  *answer,
               guint        n_items,
               GArray     **out_numbers)
{
  g_auto(GStrv) tokens = g_strsplit_set (answer, " ,\t", -1);
  g_autoptr(GArray) numbers = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; tokens[i] != NULL; i++)
    {
      guint64 number = 0;
      guint item;

      if (tokens[i][0] == '\0')
        continue;

      if (!g_ascii_string_to_unsigned (tokens[i], 10, 1, n_items, &number, NULL))
        {
          g_print (_("“%s” is not a number from 1 to %u. Enter the numbers of the items, "
                     "separated by spaces.\n"),
                   tokens[i], n_items);
          return FALSE;
        }

      item = (guint) number;
      g_array_append_val (numbers, item);
    }

  *out_numbers = g_steal_pointer (&numbers);
  return TRUE;
}

static void
print_catalogue_items (ExitboxCatalogue     *catalogue,
                       ExitboxCatalogueKind  kind,
                       char                **ids,
                       const char * const   *selected)
{
  for (guint i = 0; ids[i] != NULL; i++)
    {
      const char *name = exitbox_catalogue_get_name (catalogue, kind, ids[i]);
      const char *description = exitbox_catalogue_get_description (catalogue, kind, ids[i]);
      const char *mark = g_strv_contains (selected, ids[i]) ? "[x]" : "[ ]";

      if (description != NULL)
        g_print ("  %2u. %s %s (%s): %s\n", i + 1, mark, name, ids[i], description);
      else
        g_print ("  %2u. %s %s (%s)\n", i + 1, mark, name, ids[i]);
    }
}

/* Asks for the roles: the entered numbers replace the selection. Returns FALSE at
 * the end of input.
 */
static gboolean
ask_roles (ExitboxWizard *wizard)
{
  ExitboxCatalogue *catalogue = exitbox_wizard_get_catalogue (wizard);
  g_auto(GStrv) ids = exitbox_catalogue_dup_ids (catalogue, EXITBOX_CATALOGUE_ROLE);
  guint n_ids = g_strv_length (ids);

  g_print (_("\nStep 1 of 4: roles\n"
             "Your roles choose the suggested languages, tools and profiles.\n"));
  print_catalogue_items (catalogue, EXITBOX_CATALOGUE_ROLE, ids,
                         exitbox_wizard_get_roles (wizard));

  for (;;)
    {
      g_autofree char *answer = NULL;
      g_autoptr(GArray) numbers = NULL;
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) roles = NULL;
      g_autoptr(GError) error = NULL;

      g_print (_("Numbers of your roles, such as “1 3”, or empty for none: "));
      answer = read_answer ();
      if (answer == NULL)
        return FALSE;

      if (!parse_numbers (answer, n_ids, &numbers))
        continue;

      for (guint i = 0; i < numbers->len; i++)
        g_strv_builder_add (builder, ids[g_array_index (numbers, guint, i) - 1]);
      roles = g_strv_builder_end (builder);

      /* Keeping the same roles keeps the languages and tools chosen before. */
      if (g_strv_equal ((const char * const *) roles, exitbox_wizard_get_roles (wizard)))
        return TRUE;

      if (exitbox_wizard_set_roles (wizard, (const char * const *) roles, &error))
        return TRUE;

      print_error (error->message);
    }
}

/* Shows a list with its selection and toggles the numbers the user enters
 * until the user enters an empty line. Returns FALSE at the end of input.
 */
static gboolean
ask_toggles (ExitboxWizard        *wizard,
             ExitboxCatalogueKind  kind,
             const char           *title)
{
  ExitboxCatalogue *catalogue = exitbox_wizard_get_catalogue (wizard);
  g_auto(GStrv) ids = exitbox_catalogue_dup_ids (catalogue, kind);
  guint n_ids = g_strv_length (ids);

  g_print ("\n%s\n", title);

  for (;;)
    {
      const char * const *selected = kind == EXITBOX_CATALOGUE_LANGUAGE
        ? exitbox_wizard_get_languages (wizard)
        : exitbox_wizard_get_tool_categories (wizard);
      g_autofree char *answer = NULL;
      g_autoptr(GArray) numbers = NULL;
      g_autoptr(GPtrArray) chosen = g_ptr_array_new ();
      g_autoptr(GError) error = NULL;
      gboolean ok;

      print_catalogue_items (catalogue, kind, ids, selected);
      g_print (_("Numbers to select or deselect, or empty to go on: "));
      answer = read_answer ();
      if (answer == NULL)
        return FALSE;

      if (answer[0] == '\0')
        return TRUE;

      if (!parse_numbers (answer, n_ids, &numbers))
        continue;

      for (guint i = 0; ids[i] != NULL; i++)
        {
          gboolean on = g_strv_contains (selected, ids[i]);

          for (guint j = 0; j < numbers->len; j++)
            if (g_array_index (numbers, guint, j) == i + 1)
              on = !on;

          if (on)
            g_ptr_array_add (chosen, ids[i]);
        }
      g_ptr_array_add (chosen, NULL);

      if (kind == EXITBOX_CATALOGUE_LANGUAGE)
        ok = exitbox_wizard_set_languages (wizard, (const char * const *) chosen->pdata, &error);
      else
        ok = exitbox_wizard_set_tool_categories (wizard, (const char * const *) chosen->pdata,
                                                 &error);
      if (!ok)
        print_error (error->message);
    }
}

static gboolean
ask_agents (ExitboxWizard *wizard)
{
  guint n_agents;
  const ExitboxAgentInfo *agents = exitbox_agent_get_all (&n_agents);

  g_print (_("\nStep 4 of 4: agents\n"));

  for (;;)
    {
      g_autofree char *answer = NULL;
      g_autoptr(GArray) numbers = NULL;

      for (guint i = 0; i < n_agents; i++)
        g_print ("  %2u. %s %s (%s)\n", i + 1,
                 exitbox_wizard_get_agent_enabled (wizard, agents[i].id) ? "[x]" : "[ ]",
                 agents[i].display_name, agents[i].id);

      g_print (_("Numbers of the agents to enable or disable, or empty to go on: "));
      answer = read_answer ();
      if (answer == NULL)
        return FALSE;

      if (answer[0] == '\0')
        return TRUE;

      if (!parse_numbers (answer, n_agents, &numbers))
        continue;

      for (guint j = 0; j < numbers->len; j++)
        {
          const char *id = agents[g_array_index (numbers, guint, j) - 1].id;

          exitbox_wizard_set_agent_enabled (wizard, id,
                                            !exitbox_wizard_get_agent_enabled (wizard, id), NULL);
        }
    }
}

static void
print_review_line (const char         *label,
                   const char * const *ids)
{
  g_autofree char *joined = g_strjoinv (", ", (char **) ids);

  g_print ("  %-17s %s\n", label, ids[0] != NULL ? joined : _("(none)"));
}

/* Prints what exitbox_wizard_apply() will write. Returns FALSE when the
 * profiles cannot be computed.
 */
static gboolean
print_review (ExitboxWizard *wizard,
              const char    *config_path)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) profiles = exitbox_wizard_dup_profiles (wizard, &error);
  g_autoptr(GPtrArray) enabled = g_ptr_array_new ();
  guint n_agents;
  const ExitboxAgentInfo *agents = exitbox_agent_get_all (&n_agents);

  if (profiles == NULL)
    {
      print_error (error->message);
      return FALSE;
    }

  for (guint i = 0; i < n_agents; i++)
    if (exitbox_wizard_get_agent_enabled (wizard, agents[i].id))
      g_ptr_array_add (enabled, (gpointer) agents[i].id);
  g_ptr_array_add (enabled, NULL);

  g_print (_("\nReview: these values go into %s\n"), config_path);
  print_review_line (_("roles:"), exitbox_wizard_get_roles (wizard));
  print_review_line (_("languages:"), exitbox_wizard_get_languages (wizard));
  print_review_line (_("tool_categories:"), exitbox_wizard_get_tool_categories (wizard));
  print_review_line (_("profiles:"), (const char * const *) profiles);
  print_review_line (_("enabled agents:"), (const char * const *) enabled->pdata);
  g_print (_("Comments and other keys in the file stay as they are.\n"));
  return TRUE;
}

/* Without a terminal, only writes the default files when they are missing,
 * so scripts and CI can run it.
 */
static int
run_setup_without_terminal (const char *config_dir)
{
  g_autoptr(GError) error = NULL;
  gboolean created = FALSE;

  if (!exitbox_config_ensure_defaults (config_dir, &created, &error))
    {
      print_error (error->message);
      return 1;
    }

  if (created)
    g_print (_("Wrote the default configuration to %s. Run “exitbox setup” in a terminal to "
               "choose roles, languages, tools and agents.\n"),
             config_dir);
  else
    g_print (_("The configuration in %s exists and was not changed. Run “exitbox setup” in a "
               "terminal to change it.\n"),
             config_dir);
  return 0;
}

static int
run_setup (void)
{
  g_autofree char *config_dir = exitbox_dup_config_dir ();
  g_autofree char *config_path = g_build_filename (config_dir, "config.yaml", NULL);
  g_autoptr(ExitboxCatalogue) catalogue = NULL;
  g_autoptr(ExitboxConfig) config = NULL;
  g_autoptr(ExitboxWizard) wizard = NULL;
  g_autoptr(GError) error = NULL;

  if (!isatty (STDIN_FILENO))
    return run_setup_without_terminal (config_dir);

  catalogue = exitbox_catalogue_load_default (&error);
  if (catalogue == NULL)
    {
      print_error (error->message);
      return 1;
    }

  if (g_file_test (config_path, G_FILE_TEST_EXISTS))
    {
      /* A file that fails to load is reported and never overwritten. */
      config = exitbox_config_load_file (config_path, &error);
      if (config == NULL)
        {
          print_error (error->message);
          return 1;
        }
    }

  wizard = exitbox_wizard_new (catalogue, config);

  g_print (_("ExitBox setup writes your choices to %s.\n"), config_path);

  if (!ask_roles (wizard) ||
      !ask_toggles (wizard, EXITBOX_CATALOGUE_LANGUAGE,
                    _("Step 2 of 4: languages, pre-selected from your roles")) ||
      !ask_toggles (wizard, EXITBOX_CATALOGUE_TOOL_CATEGORY,
                    _("Step 3 of 4: tool categories, pre-selected from your roles")) ||
      !ask_agents (wizard))
    {
      g_print (_("\nInput ended. Nothing was written.\n"));
      return 1;
    }

  if (!print_review (wizard, config_path))
    return 1;

  if (!confirm (_("Write these choices?")))
    {
      g_print (_("Nothing was written.\n"));
      return 0;
    }

  if (!exitbox_wizard_apply (wizard, config_dir, &error))
    {
      print_error (error->message);
      return 1;
    }

  g_print (_("Saved the setup to %s\n"), config_path);
  return 0;
}

int
exitbox_cli_main (int   argc,
                  char *argv[])
{
  g_auto(CliContext) context = { 0 };
  g_autoptr(GError) error = NULL;
  CliOptions options = { 0 };
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
    return run_setup ();

  if (g_str_equal (options.command, "enable") || g_str_equal (options.command, "disable"))
    return set_agent_enabled (&options);

  /* These only edit or read allowlist.yaml. */
  if (g_str_equal (options.command, "allowlist"))
    return run_allowlist_command (&options);

  if (!load_configuration (&context, &error))
    {
      print_error (error->message);
      g_strfreev (options.args);
      return 1;
    }

  context.engine = exitbox_engine_detect (&error);
  if (context.engine == NULL && !g_str_equal (options.command, "list"))
    {
      print_error (error->message);
      g_strfreev (options.args);
      return 1;
    }

  if (g_str_equal (options.command, "list"))
    status = list_agents (&context);
  else if (g_str_equal (options.command, "doctor"))
    status = run_doctor (&context, &options);
  else
    status = run_session (&context, &options);

  g_strfreev (options.args);
  return status;
}
