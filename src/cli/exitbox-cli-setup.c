/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "exitbox-cli-private.h"

/* The setup wizard in the terminal. Each screen lists numbered items and
 * reads one line, and ExitboxWizard stores the choices and writes them. "b" goes
 * back a screen and "q" cancels.
 */

typedef enum
{
  STEP_NEXT,
  STEP_BACK,
  STEP_CANCEL,
} StepResult;

typedef StepResult (*StepFunc) (ExitboxWizard *wizard,
                                guint          number,
                                guint          n_steps);

/* Reads a line and turns "b", "q" and the end of input into a step
 * result. Returns NULL with @out_result set for those.
 */
static char *
read_step_answer (StepResult *out_result)
{
  g_autofree char *answer = exitbox_cli_read_answer ();

  if (answer == NULL || g_ascii_strcasecmp (answer, "q") == 0)
    {
      *out_result = STEP_CANCEL;
      return NULL;
    }

  if (g_ascii_strcasecmp (answer, "b") == 0)
    {
      *out_result = STEP_BACK;
      return NULL;
    }

  *out_result = STEP_NEXT;
  return g_steal_pointer (&answer);
}

static void
print_step_title (guint       number,
                  guint       n_steps,
                  const char *title)
{
  g_print ("\n");
  /* TRANSLATORS: the first two values are step numbers, the third the step's title */
  g_print (_("Step %u of %u: %s\n"), number, n_steps, title);
  g_print (_("Enter b to go back or q to cancel.\n"));
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

/* Returns whether @number is in @numbers an odd number of times, so that
 * entering a number twice toggles it back.
 */
static gboolean
is_toggled (GArray *numbers,
            guint   number)
{
  gboolean toggled = FALSE;

  for (guint i = 0; i < numbers->len; i++)
    if (g_array_index (numbers, guint, i) == number)
      toggled = !toggled;

  return toggled;
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

/* Shows a list with its selection and toggles the numbers the user enters
 * until the user enters an empty line.
 */
static const char * const *
get_selected_ids (ExitboxWizard        *wizard,
                  ExitboxCatalogueKind  kind)
{
  switch (kind)
    {
    case EXITBOX_CATALOGUE_ROLE:
      return exitbox_wizard_get_roles (wizard);
    case EXITBOX_CATALOGUE_LANGUAGE:
      return exitbox_wizard_get_languages (wizard);
    case EXITBOX_CATALOGUE_TOOL_CATEGORY:
    case EXITBOX_CATALOGUE_PROFILE:
    default:
      return exitbox_wizard_get_tool_categories (wizard);
    }
}

static gboolean
set_selected_ids (ExitboxWizard        *wizard,
                  ExitboxCatalogueKind  kind,
                  const char * const   *ids,
                  GError              **error)
{
  switch (kind)
    {
    case EXITBOX_CATALOGUE_ROLE:
      return exitbox_wizard_set_roles (wizard, ids, error);
    case EXITBOX_CATALOGUE_LANGUAGE:
      return exitbox_wizard_set_languages (wizard, ids, error);
    case EXITBOX_CATALOGUE_TOOL_CATEGORY:
    case EXITBOX_CATALOGUE_PROFILE:
    default:
      return exitbox_wizard_set_tool_categories (wizard, ids, error);
    }
}

static StepResult
ask_catalogue_toggles (ExitboxWizard        *wizard,
                       ExitboxCatalogueKind  kind,
                       const char           *title,
                       const char           *explanation,
                       guint                 number,
                       guint                 n_steps)
{
  ExitboxCatalogue *catalogue = exitbox_wizard_get_catalogue (wizard);
  g_auto(GStrv) ids = exitbox_catalogue_dup_ids (catalogue, kind);
  guint n_ids = g_strv_length (ids);

  print_step_title (number, n_steps, title);
  if (explanation != NULL)
    g_print ("%s\n", explanation);

  for (;;)
    {
      const char * const *selected = get_selected_ids (wizard, kind);
      g_autofree char *answer = NULL;
      g_autoptr(GArray) numbers = NULL;
      g_autoptr(GPtrArray) chosen = g_ptr_array_new_null_terminated (0, NULL, TRUE);
      g_autoptr(GError) error = NULL;
      StepResult result;

      print_catalogue_items (catalogue, kind, ids, selected);
      g_print (_("Numbers to select or deselect, or Enter to go on: "));
      answer = read_step_answer (&result);
      if (answer == NULL)
        return result;

      if (answer[0] == '\0')
        return STEP_NEXT;

      if (!parse_numbers (answer, n_ids, &numbers))
        continue;

      for (guint i = 0; ids[i] != NULL; i++)
        if (g_strv_contains (selected, ids[i]) != is_toggled (numbers, i + 1))
          g_ptr_array_add (chosen, ids[i]);

      /* Each change of roles pre-selects their languages and tool categories. */
      if (!set_selected_ids (wizard, kind, (const char * const *) chosen->pdata, &error))
        exitbox_cli_print_error (error->message);
    }
}

static StepResult
ask_roles (ExitboxWizard *wizard,
           guint          number,
           guint          n_steps)
{
  return ask_catalogue_toggles (wizard, EXITBOX_CATALOGUE_ROLE, _("roles"),
                                _("Your roles choose the suggested languages, tools and "
                                  "profiles."),
                                number, n_steps);
}

static StepResult
ask_languages (ExitboxWizard *wizard,
               guint          number,
               guint          n_steps)
{
  return ask_catalogue_toggles (wizard, EXITBOX_CATALOGUE_LANGUAGE,
                                _("languages, pre-selected from your roles"), NULL,
                                number, n_steps);
}

static StepResult
ask_tool_categories (ExitboxWizard *wizard,
                     guint          number,
                     guint          n_steps)
{
  return ask_catalogue_toggles (wizard, EXITBOX_CATALOGUE_TOOL_CATEGORY,
                                _("tool categories, pre-selected from your roles"), NULL,
                                number, n_steps);
}

static StepResult
ask_agents (ExitboxWizard *wizard,
            guint          number,
            guint          n_steps)
{
  guint n_agents;
  const ExitboxAgentInfo *agents = exitbox_agent_get_all (&n_agents);

  print_step_title (number, n_steps, _("agents"));

  for (;;)
    {
      g_autofree char *answer = NULL;
      g_autoptr(GArray) numbers = NULL;
      StepResult result;

      for (guint i = 0; i < n_agents; i++)
        g_print ("  %2u. %s %s (%s)\n", i + 1,
                 exitbox_wizard_get_agent_enabled (wizard, agents[i].id) ? "[x]" : "[ ]",
                 agents[i].display_name, agents[i].id);

      g_print (_("Numbers of the agents to enable or disable, or Enter to go on: "));
      answer = read_step_answer (&result);
      if (answer == NULL)
        return result;

      if (answer[0] == '\0')
        return STEP_NEXT;

      if (!parse_numbers (answer, n_agents, &numbers))
        continue;

      for (guint i = 0; i < n_agents; i++)
        if (is_toggled (numbers, i + 1))
          exitbox_wizard_set_agent_enabled (wizard, agents[i].id,
                                            !exitbox_wizard_get_agent_enabled (wizard,
                                                                               agents[i].id),
                                            NULL);
    }
}

static guint
count_disabled_entries (ExitboxWizard *wizard,
                        const char    *category)
{
  GPtrArray *items = exitbox_allowlist_get_category_items (exitbox_wizard_get_allowlist (wizard),
                                                           category);
  guint n_disabled = 0;

  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      ExitboxAllowlistItem *item = g_ptr_array_index (items, i);

      if (item->canonical != NULL &&
          !exitbox_wizard_get_firewall_entry_enabled (wizard, item->canonical))
        n_disabled++;
    }

  return n_disabled;
}

static StepResult
ask_firewall_categories (ExitboxWizard *wizard,
                         guint          number,
                         guint          n_steps)
{
  const char * const *categories = exitbox_wizard_get_firewall_categories (wizard);
  guint n_categories = g_strv_length ((char **) categories);

  print_step_title (number, n_steps, _("firewall categories"));

  if (exitbox_wizard_get_allowlist_missing (wizard))
    {
      g_autofree char *answer = NULL;
      StepResult result;

      g_print (_("allowlist.yaml is missing, so every destination is blocked and there are "
                 "no categories to choose. Setup does not recreate it: restore the file, or "
                 "move config.yaml away too and run setup to start over.\n"));
      g_print (_("Press Enter to go on: "));
      answer = read_step_answer (&result);
      return answer == NULL ? result : STEP_NEXT;
    }

  g_print (_("Agents may reach the domains of the marked categories. A category you unmark "
             "stays in allowlist.yaml, and its entries go to the “disabled” list.\n"));

  for (;;)
    {
      g_autofree char *answer = NULL;
      g_autoptr(GArray) numbers = NULL;
      StepResult result;

      for (guint i = 0; i < n_categories; i++)
        {
          guint size = exitbox_wizard_get_firewall_category_size (wizard, categories[i]);
          guint n_disabled = count_disabled_entries (wizard, categories[i]);

          g_print ("  %2u. %s %s ", i + 1,
                   exitbox_wizard_get_firewall_category_enabled (wizard, categories[i])
                     ? "[x]" : "[ ]",
                   exitbox_allowlist_category_get_display_name (categories[i]));
          g_print (ngettext ("(%u entry", "(%u entries", size), size);

          /* A partly disabled category shows how much of it is off. */
          if (n_disabled > 0 && n_disabled < size)
            g_print (ngettext (", %u disabled", ", %u disabled", n_disabled), n_disabled);
          g_print (")\n");
        }

      g_print (_("Numbers of the categories to enable or disable, or Enter to go on: "));
      answer = read_step_answer (&result);
      if (answer == NULL)
        return result;

      if (answer[0] == '\0')
        return STEP_NEXT;

      if (!parse_numbers (answer, n_categories, &numbers))
        continue;

      for (guint i = 0; i < n_categories; i++)
        if (is_toggled (numbers, i + 1))
          exitbox_wizard_set_firewall_category_enabled (
            wizard, categories[i],
            !exitbox_wizard_get_firewall_category_enabled (wizard, categories[i]), NULL);
    }
}

static void
print_review_line (const char         *label,
                   const char * const *ids)
{
  g_autofree char *joined = NULL;

  /* An empty null-terminated GPtrArray may have no storage yet. */
  if (ids == NULL || ids[0] == NULL)
    {
      g_print ("  %-20s %s\n", label, _("(none)"));
      return;
    }

  joined = g_strjoinv (", ", (char **) ids);
  g_print ("  %-20s %s\n", label, joined);
}

/* Prints what exitbox_wizard_apply() will write. Returns FALSE when the
 * profiles cannot be computed.
 */
static gboolean
print_review (ExitboxWizard *wizard,
              const char    *config_dir)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) profiles = exitbox_wizard_dup_profiles (wizard, &error);
  g_autoptr(GPtrArray) enabled = g_ptr_array_new_null_terminated (0, NULL, TRUE);
  g_autoptr(GPtrArray) allowed = g_ptr_array_new_null_terminated (0, NULL, TRUE);
  g_autoptr(GPtrArray) blocked = g_ptr_array_new_null_terminated (0, NULL, TRUE);
  g_autoptr(GPtrArray) not_installable = g_ptr_array_new_null_terminated (0, NULL, TRUE);
  const char * const *categories = exitbox_wizard_get_firewall_categories (wizard);
  guint n_agents;
  const ExitboxAgentInfo *agents = exitbox_agent_get_all (&n_agents);

  if (profiles == NULL)
    {
      exitbox_cli_print_error (error->message);
      return FALSE;
    }

  for (guint i = 0; i < n_agents; i++)
    {
      if (!exitbox_wizard_get_agent_enabled (wizard, agents[i].id))
        continue;

      g_ptr_array_add (enabled, (gpointer) agents[i].id);
      if (!agents[i].installable)
        g_ptr_array_add (not_installable, (gpointer) agents[i].display_name);
    }

  for (guint i = 0; categories[i] != NULL; i++)
    g_ptr_array_add (exitbox_wizard_get_firewall_category_enabled (wizard, categories[i])
                       ? allowed : blocked,
                     (gpointer) categories[i]);

  if (exitbox_wizard_get_allowlist_missing (wizard))
    g_print (_("\nReview: these values go into config.yaml in %s\n"), config_dir);
  else
    g_print (_("\nReview: these values go into config.yaml and allowlist.yaml in %s\n"),
             config_dir);
  print_review_line (_("roles:"), exitbox_wizard_get_roles (wizard));
  print_review_line (_("languages:"), exitbox_wizard_get_languages (wizard));
  print_review_line (_("tool_categories:"), exitbox_wizard_get_tool_categories (wizard));
  print_review_line (_("profiles:"), (const char * const *) profiles);
  print_review_line (_("enabled agents:"), (const char * const *) enabled->pdata);
  print_review_line (_("allowed categories:"), (const char * const *) allowed->pdata);
  print_review_line (_("disabled categories:"), (const char * const *) blocked->pdata);
  g_print (_("Comments and other keys in the files stay as they are.\n"));

  if (exitbox_wizard_get_allowlist_missing (wizard))
    g_print (_("Warning: allowlist.yaml is missing, so every destination stays blocked. Setup "
               "writes only config.yaml.\n"));

  if (not_installable->len > 0)
    {
      g_autofree char *names = g_strjoinv (", ", (char **) not_installable->pdata);

      g_print (_("Note: this version of ExitBox cannot install or launch %s yet.\n"), names);
    }

  return TRUE;
}

static StepResult
ask_review (ExitboxWizard *wizard,
            const char    *config_dir)
{
  for (;;)
    {
      g_autofree char *answer = NULL;
      StepResult result;

      if (!print_review (wizard, config_dir))
        return STEP_CANCEL;

      g_print (_("Write these choices? Enter or y writes them, b goes back, q cancels: "));
      answer = read_step_answer (&result);
      if (answer == NULL)
        return result;

      if (answer[0] == '\0' || g_ascii_strcasecmp (answer, "y") == 0 ||
          g_ascii_strcasecmp (answer, "yes") == 0)
        return STEP_NEXT;

      g_print (_("“%s” is not an answer here. Enter y, b or q.\n"), answer);
    }
}

/* Loads config.yaml and allowlist.yaml when they exist, so that a re-run
 * starts from the current choices. A file that fails to load is reported and
 * never overwritten.
 */
static ExitboxWizard *
create_wizard (const char  *config_dir,
               GError     **error)
{
  g_autofree char *config_path = g_build_filename (config_dir, "config.yaml", NULL);
  g_autofree char *allowlist_path = g_build_filename (config_dir, "allowlist.yaml", NULL);
  g_autoptr(ExitboxCatalogue) catalogue = NULL;
  g_autoptr(ExitboxConfig) config = NULL;
  g_autoptr(ExitboxWizard) wizard = NULL;

  catalogue = exitbox_catalogue_load_default (error);
  if (catalogue == NULL)
    return NULL;

  if (g_file_test (config_path, G_FILE_TEST_EXISTS))
    {
      config = exitbox_config_load_file (config_path, error);
      if (config == NULL)
        return NULL;
    }

  wizard = exitbox_wizard_new (catalogue, config);

  /* On a re-run, a missing allowlist stays missing: it blocks everything. */
  if (config != NULL && !g_file_test (allowlist_path, G_FILE_TEST_EXISTS))
    exitbox_wizard_set_allowlist (wizard, NULL);
  else if (g_file_test (allowlist_path, G_FILE_TEST_EXISTS))
    {
      g_autoptr(ExitboxAllowlist) allowlist = exitbox_allowlist_load_file (allowlist_path);

      if (exitbox_allowlist_get_status (allowlist) == EXITBOX_ALLOWLIST_STATUS_INVALID)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("%s Nothing was written."),
                       exitbox_allowlist_get_problem (allowlist));
          return NULL;
        }

      exitbox_wizard_set_allowlist (wizard, allowlist);
    }

  return g_steal_pointer (&wizard);
}

static gboolean
apply_wizard (ExitboxWizard *wizard,
              const char    *config_dir)
{
  g_autoptr(GError) error = NULL;

  if (!exitbox_wizard_apply (wizard, config_dir, &error))
    {
      exitbox_cli_print_error (error->message);
      return FALSE;
    }

  g_print (_("Saved the setup to %s\n"), config_dir);
  return TRUE;
}

/* Runs the screens in order. Returns 0 after writing the choices, 1 on an
 * error, and 3 when the user cancels.
 */
static int
run_interactive (const char *config_dir)
{
  static const StepFunc steps[] = {
    ask_roles, ask_languages, ask_tool_categories, ask_agents, ask_firewall_categories,
  };
  g_autoptr(ExitboxWizard) wizard = NULL;
  g_autoptr(GError) error = NULL;
  guint n_steps = G_N_ELEMENTS (steps) + 1;
  guint step = 0;

  wizard = create_wizard (config_dir, &error);
  if (wizard == NULL)
    {
      exitbox_cli_print_error (error->message);
      return 1;
    }

  g_print (_("ExitBox setup writes your choices to config.yaml and allowlist.yaml in %s.\n"),
           config_dir);

  for (;;)
    {
      StepResult result;

      if (step < G_N_ELEMENTS (steps))
        result = steps[step] (wizard, step + 1, n_steps);
      else
        {
          print_step_title (step + 1, n_steps, _("review"));
          result = ask_review (wizard, config_dir);
        }

      if (result == STEP_CANCEL)
        return 3;

      if (result == STEP_BACK)
        {
          if (step > 0)
            step--;
          continue;
        }

      if (step == G_N_ELEMENTS (steps))
        return apply_wizard (wizard, config_dir) ? 0 : 1;

      step++;
    }
}

/* Without a terminal, only writes the default files when they are missing,
 * so scripts and CI can run it.
 */
static int
run_without_terminal (const char *config_dir)
{
  g_autoptr(GError) error = NULL;
  gboolean created = FALSE;

  if (!exitbox_config_ensure_defaults (config_dir, &created, &error))
    {
      exitbox_cli_print_error (error->message);
      return 1;
    }

  if (!created)
    {
      g_autofree char *config_path = g_build_filename (config_dir, "config.yaml", NULL);
      g_autoptr(ExitboxConfig) config = exitbox_config_load_file (config_path, &error);

      if (config == NULL)
        {
          exitbox_cli_print_error (error->message);
          return 1;
        }
    }

  if (created)
    g_print (_("Wrote the default configuration to %s. Run “exitbox setup” in a terminal to "
               "choose roles, languages, tools and agents, or pass the choices as options "
               "(exitbox setup --help).\n"),
             config_dir);
  else
    g_print (_("The configuration in %s exists and was not changed. Run “exitbox setup” in a "
               "terminal to change it.\n"),
             config_dir);
  return 0;
}

typedef struct
{
  char     **roles;
  char     **languages;
  char     **tool_categories;
  char     **agents;
  char     **firewall_categories;
  gboolean   assume_yes;
} SetupOptions;

static void
setup_options_clear (SetupOptions *options)
{
  g_clear_pointer (&options->roles, g_strfreev);
  g_clear_pointer (&options->languages, g_strfreev);
  g_clear_pointer (&options->tool_categories, g_strfreev);
  g_clear_pointer (&options->agents, g_strfreev);
  g_clear_pointer (&options->firewall_categories, g_strfreev);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SetupOptions, setup_options_clear)

static void
print_setup_usage (void)
{
  g_print ("%s",
           _("Usage: exitbox setup [OPTION…]\n"
             "\n"
             "Without options in a terminal, asks for each choice. Without a terminal and\n"
             "without options, writes the default files when they are missing.\n"
             "\n"
             "Options (LIST is comma-separated ids; “none” or an empty LIST means none):\n"
             "  --role LIST                 Roles; they pre-select languages and tool categories\n"
             "  --languages LIST            Languages, replacing those the roles pre-select\n"
             "  --tool-categories LIST      Tool categories, replacing those the roles pre-select\n"
             "  --agents LIST               The agents to enable; the others are disabled\n"
             "  --firewall-categories LIST  Allowlist categories to allow; the others are disabled\n"
             "  -y, --yes                   Write without asking\n"
             "  -h, --help                  Show this help\n"
             "\n"
             "With any option, ExitBox shows the result and writes it without the screens.\n"));
}

/* Splits a comma list; "none" and "" give an empty list. */
static char **
split_list (const char *value)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) items = g_strsplit (value, ",", -1);

  for (guint i = 0; items[i] != NULL; i++)
    {
      g_strstrip (items[i]);
      if (items[i][0] != '\0' && g_ascii_strcasecmp (items[i], "none") != 0)
        g_strv_builder_add (builder, items[i]);
    }

  return g_strv_builder_end (builder);
}

/* Returns 0 on success, or the exit status to stop with. */
static int
parse_setup_options (char         **args,
                     SetupOptions  *options,
                     gboolean      *out_scripted)
{
  static const struct
  {
    const char *name;
    gsize       offset;
  } list_options[] = {
    { "--role", G_STRUCT_OFFSET (SetupOptions, roles) },
    { "--roles", G_STRUCT_OFFSET (SetupOptions, roles) },
    { "--languages", G_STRUCT_OFFSET (SetupOptions, languages) },
    { "--tool-categories", G_STRUCT_OFFSET (SetupOptions, tool_categories) },
    { "--agents", G_STRUCT_OFFSET (SetupOptions, agents) },
    { "--firewall-categories", G_STRUCT_OFFSET (SetupOptions, firewall_categories) },
  };

  *out_scripted = FALSE;

  for (guint i = 0; args[i] != NULL; i++)
    {
      const char *arg = args[i];
      gboolean matched = FALSE;

      if (g_str_equal (arg, "-h") || g_str_equal (arg, "--help"))
        {
          print_setup_usage ();
          exit (0);
        }

      if (g_str_equal (arg, "-y") || g_str_equal (arg, "--yes"))
        {
          options->assume_yes = TRUE;
          *out_scripted = TRUE;
          continue;
        }

      for (guint j = 0; j < G_N_ELEMENTS (list_options) && !matched; j++)
        {
          gsize name_length = strlen (list_options[j].name);
          char ***field = G_STRUCT_MEMBER_P (options, list_options[j].offset);
          const char *value = NULL;

          if (g_str_equal (arg, list_options[j].name))
            {
              /* Lists never start with "-", so that is the next option. */
              if (args[i + 1] == NULL || args[i + 1][0] == '-')
                {
                  g_autofree char *message =
                    g_strdup_printf (_("The option %s needs a comma-separated list, such as "
                                       "“%s backend,devops”, or “none”."),
                                     arg, arg);
                  exitbox_cli_print_error (message);
                  return 2;
                }
              value = args[++i];
            }
          else if (strncmp (arg, list_options[j].name, name_length) == 0 &&
                   arg[name_length] == '=')
            value = arg + name_length + 1;
          else
            continue;

          /* A repeated option adds to the list. */
          {
            g_auto(GStrv) items = split_list (value);
            g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

            if (*field != NULL)
              g_strv_builder_addv (builder, (const char **) *field);
            g_strv_builder_addv (builder, (const char **) items);
            g_strfreev (*field);
            *field = g_strv_builder_end (builder);
          }
          matched = TRUE;
        }

      if (!matched)
        {
          g_autofree char *message =
            g_strdup_printf (arg[0] == '-'
                               ? _("Unknown setup option “%s”. Run “exitbox setup --help” to "
                                   "see the options.")
                               : _("“setup” takes options only, but got “%s”. Run “exitbox "
                                   "setup --help” to see them."),
                             arg);
          exitbox_cli_print_error (message);
          return 2;
        }

      *out_scripted = TRUE;
    }

  return 0;
}

/* Returns the catalogue ids that @texts name in any letter case or by their
 * names. A text that names nothing stays as given, so that the wizard's
 * error names it.
 */
static GStrv
dup_matching_ids (ExitboxCatalogue     *catalogue,
                  ExitboxCatalogueKind  kind,
                  char                **texts)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; texts[i] != NULL; i++)
    {
      const char *id = exitbox_catalogue_match_id (catalogue, kind, texts[i]);

      g_strv_builder_add (builder, id != NULL ? id : texts[i]);
    }

  return g_strv_builder_end (builder);
}

/* Applies the choices given as options to @wizard, in wizard order, so that
 * --languages replaces what --role pre-selects.
 */
static gboolean
apply_setup_options (ExitboxWizard       *wizard,
                     const SetupOptions  *options,
                     GError             **error)
{
  ExitboxCatalogue *catalogue = exitbox_wizard_get_catalogue (wizard);

  if (options->roles != NULL)
    {
      g_auto(GStrv) roles = dup_matching_ids (catalogue, EXITBOX_CATALOGUE_ROLE, options->roles);

      if (!exitbox_wizard_set_roles (wizard, (const char * const *) roles, error))
        return FALSE;
    }

  if (options->languages != NULL)
    {
      g_auto(GStrv) languages = dup_matching_ids (catalogue, EXITBOX_CATALOGUE_LANGUAGE,
                                                  options->languages);

      if (!exitbox_wizard_set_languages (wizard, (const char * const *) languages, error))
        return FALSE;
    }

  if (options->tool_categories != NULL)
    {
      g_auto(GStrv) categories = dup_matching_ids (catalogue, EXITBOX_CATALOGUE_TOOL_CATEGORY,
                                                   options->tool_categories);

      if (!exitbox_wizard_set_tool_categories (wizard, (const char * const *) categories, error))
        return FALSE;
    }

  if (options->agents != NULL)
    {
      guint n_agents;
      const ExitboxAgentInfo *agents = exitbox_agent_get_all (&n_agents);

      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) chosen = NULL;

      for (guint i = 0; options->agents[i] != NULL; i++)
        {
          g_autofree char *id = g_ascii_strdown (options->agents[i], -1);

          if (!exitbox_wizard_set_agent_enabled (wizard, id, TRUE, error))
            return FALSE;
          g_strv_builder_add (builder, id);
        }
      chosen = g_strv_builder_end (builder);

      for (guint i = 0; i < n_agents; i++)
        if (!g_strv_contains ((const char * const *) chosen, agents[i].id))
          exitbox_wizard_set_agent_enabled (wizard, agents[i].id, FALSE, NULL);
    }

  if (options->firewall_categories != NULL)
    {
      const char * const *categories = exitbox_wizard_get_firewall_categories (wizard);

      /* Categories that keep their state are left alone, so entries that
       * were disabled one by one stay disabled.
       */
      for (guint i = 0; options->firewall_categories[i] != NULL; i++)
        if (!exitbox_wizard_set_firewall_category_enabled (wizard,
                                                           options->firewall_categories[i],
                                                           TRUE, error))
          return FALSE;

      for (guint i = 0; categories[i] != NULL; i++)
        if (!g_strv_contains ((const char * const *) options->firewall_categories, categories[i]))
          exitbox_wizard_set_firewall_category_enabled (wizard, categories[i], FALSE, NULL);
    }

  return TRUE;
}

static int
run_scripted (const char         *config_dir,
              const SetupOptions *options)
{
  g_autoptr(ExitboxWizard) wizard = NULL;
  g_autoptr(GError) error = NULL;

  wizard = create_wizard (config_dir, &error);
  if (wizard == NULL || !apply_setup_options (wizard, options, &error))
    {
      exitbox_cli_print_error (error->message);
      return 1;
    }

  if (!print_review (wizard, config_dir))
    return 1;

  if (!options->assume_yes && isatty (STDIN_FILENO) &&
      !exitbox_cli_confirm (_("Write these choices?")))
    {
      g_print (_("Nothing was written.\n"));
      return 0;
    }

  return apply_wizard (wizard, config_dir) ? 0 : 1;
}

int
exitbox_cli_setup (CliOptions *options)
{
  g_autofree char *config_dir = exitbox_dup_config_dir ();
  g_auto(SetupOptions) setup_options = { 0 };
  gboolean scripted = FALSE;
  int status;

  status = parse_setup_options (options->args, &setup_options, &scripted);
  if (status != 0)
    return status;

  if (scripted)
    return run_scripted (config_dir, &setup_options);

  if (!isatty (STDIN_FILENO))
    return run_without_terminal (config_dir);

  status = run_interactive (config_dir);
  if (status == 3)
    {
      g_print (_("\nSetup cancelled. Nothing was written.\n"));
      return 0;
    }

  return status;
}

gboolean
exitbox_cli_ensure_configured (const char  *config_dir,
                               GError     **error)
{
  g_autofree char *config_path = g_build_filename (config_dir, "config.yaml", NULL);
  g_autofree char *allowlist_path = g_build_filename (config_dir, "allowlist.yaml", NULL);
  gboolean first_run;
  int status;

  first_run = !g_file_test (config_path, G_FILE_TEST_EXISTS) &&
              !g_file_test (allowlist_path, G_FILE_TEST_EXISTS);

  if (first_run && isatty (STDIN_FILENO) && isatty (STDOUT_FILENO))
    {
      g_print (_("No ExitBox configuration was found, so setup runs first.\n"));
      status = run_interactive (config_dir);
      if (status == 0)
        return TRUE;

      if (status == 3)
        g_print (_("\nSetup cancelled. The default configuration is used instead; run "
                   "“exitbox setup” to change it later.\n"));
    }

  return exitbox_cli_ensure_defaults (config_dir, error);
}
