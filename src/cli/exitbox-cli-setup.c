/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <stdio.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "exitbox-cli-private.h"

/* The setup wizard in the terminal. Each screen lists numbered items and
 * reads one line, and ExitboxWizard stores the choices and writes them.
 */

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
      answer = exitbox_cli_read_answer ();
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

      exitbox_cli_print_error (error->message);
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
      answer = exitbox_cli_read_answer ();
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
        exitbox_cli_print_error (error->message);
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
      answer = exitbox_cli_read_answer ();
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
      exitbox_cli_print_error (error->message);
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
      exitbox_cli_print_error (error->message);
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

int
exitbox_cli_setup (CliOptions *options)
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
      exitbox_cli_print_error (error->message);
      return 1;
    }

  if (g_file_test (config_path, G_FILE_TEST_EXISTS))
    {
      /* A file that fails to load is reported and never overwritten. */
      config = exitbox_config_load_file (config_path, &error);
      if (config == NULL)
        {
          exitbox_cli_print_error (error->message);
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

  if (!exitbox_cli_confirm (_("Write these choices?")))
    {
      g_print (_("Nothing was written.\n"));
      return 0;
    }

  if (!exitbox_wizard_apply (wizard, config_dir, &error))
    {
      exitbox_cli_print_error (error->message);
      return 1;
    }

  g_print (_("Saved the setup to %s\n"), config_path);
  return 0;
}
