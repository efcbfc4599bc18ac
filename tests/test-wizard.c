/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <sys/stat.h>

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "exitbox-core.h"

/* A user's config.yaml with a comment and a key that ExitBox does not know,
 * both of which a re-run must keep.
 */
static const char existing_config[] =
  "version: 1\n"
  "\n"
  "# My roles, picked by hand.\n"
  "roles:\n"
  "  - frontend\n"
  "tool_categories:\n"
  "  - build-tools\n"
  "  - web\n"
  "agents:\n"
  "  claude:\n"
  "    enabled: true  # keep this comment\n"
  "  codex:\n"
  "    enabled: false\n"
  "my_own_key: {answer: 42}\n"
  "profiles:\n"
  "  - base\n"
  "  - node\n"
  "  - build-tools\n"
  "  - web\n";

static const char existing_allowlist[] =
  "# Hand-written allowlist.\n"
  "custom:\n"
  "  - example.com\n";

static ExitboxCatalogue *
load_catalogue (void)
{
  g_autoptr(GError) error = NULL;
  ExitboxCatalogue *catalogue = exitbox_catalogue_load_default (&error);

  g_assert_no_error (error);
  g_assert_nonnull (catalogue);
  return catalogue;
}

static char *
make_config_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("exitbox-test-wizard-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_config_dir (const char *dir)
{
  const char *names[] = { "config.yaml", "allowlist.yaml", NULL };

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);

      g_unlink (path);
    }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
write_file (const char *dir,
            const char *name,
            const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static char *
read_file (const char *dir,
           const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static ExitboxConfig *
load_config (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "config.yaml", NULL);
  g_autoptr(GError) error = NULL;
  ExitboxConfig *config = exitbox_config_load_file (path, &error);

  g_assert_no_error (error);
  return config;
}

static void
assert_strv (const char * const *actual,
             const char         *expected)
{
  g_autofree char *joined = g_strjoinv (" ", (char **) actual);

  g_assert_cmpstr (joined, ==, expected);
}

static void
test_wizard_seed_defaults (void)
{
  g_autoptr(ExitboxCatalogue) catalogue = load_catalogue ();
  g_autoptr(ExitboxWizard) wizard = exitbox_wizard_new (catalogue, NULL);

  assert_strv (exitbox_wizard_get_roles (wizard), "");
  assert_strv (exitbox_wizard_get_languages (wizard), "");
  assert_strv (exitbox_wizard_get_tool_categories (wizard), "");
  g_assert_true (exitbox_wizard_get_agent_enabled (wizard, "claude"));
  g_assert_false (exitbox_wizard_get_agent_enabled (wizard, "codex"));
  g_assert_false (exitbox_wizard_get_agent_enabled (wizard, "opencode"));
}

static void
test_wizard_seed_config (void)
{
  g_autoptr(ExitboxCatalogue) catalogue = load_catalogue ();
  g_autoptr(ExitboxConfig) config = NULL;
  g_autoptr(ExitboxWizard) wizard = NULL;
  g_autoptr(GError) error = NULL;
  const char data[] =
    "roles: [Backend]\n"
    "tool_categories: [database]\n"
    "profiles: [base, python, database]\n"
    "agents:\n"
    "  claude: {enabled: false}\n"
    "  codex: {enabled: true}\n";

  config = exitbox_config_load_data (data, -1, "config.yaml", &error);
  g_assert_no_error (error);

  wizard = exitbox_wizard_new (catalogue, config);

  assert_strv (exitbox_wizard_get_roles (wizard), "backend");
  assert_strv (exitbox_wizard_get_languages (wizard), "python");
  assert_strv (exitbox_wizard_get_tool_categories (wizard), "database");
  g_assert_false (exitbox_wizard_get_agent_enabled (wizard, "claude"));
  g_assert_true (exitbox_wizard_get_agent_enabled (wizard, "codex"));
}

static void
test_wizard_role_suggestions (void)
{
  g_autoptr(ExitboxCatalogue) catalogue = load_catalogue ();
  g_autoptr(ExitboxWizard) wizard = exitbox_wizard_new (catalogue, NULL);
  g_autoptr(GError) error = NULL;
  const char *frontend[] = { "frontend", NULL };
  const char *backend[] = { "backend", NULL };
  const char *none[] = { NULL };

  g_assert_true (exitbox_wizard_set_roles (wizard, frontend, &error));
  g_assert_no_error (error);
  assert_strv (exitbox_wizard_get_languages (wizard), "node");
  assert_strv (exitbox_wizard_get_tool_categories (wizard), "build-tools web");

  g_assert_true (exitbox_wizard_set_roles (wizard, backend, &error));
  g_assert_no_error (error);
  assert_strv (exitbox_wizard_get_roles (wizard), "backend");
  assert_strv (exitbox_wizard_get_languages (wizard), "python go");
  assert_strv (exitbox_wizard_get_tool_categories (wizard), "build-tools database");

  g_assert_true (exitbox_wizard_set_roles (wizard, none, &error));
  g_assert_no_error (error);
  assert_strv (exitbox_wizard_get_languages (wizard), "");
  assert_strv (exitbox_wizard_get_tool_categories (wizard), "");
}

static void
test_wizard_profiles_deduplicated (void)
{
  g_autoptr(ExitboxCatalogue) catalogue = load_catalogue ();
  g_autoptr(ExitboxWizard) wizard = exitbox_wizard_new (catalogue, NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) profiles = NULL;
  const char *roles[] = { "data-science", NULL };
  const char *languages[] = { "python", "rust", NULL };
  const char *categories[] = { "database", "shell", NULL };

  g_assert_true (exitbox_wizard_set_roles (wizard, roles, &error));
  g_assert_true (exitbox_wizard_set_languages (wizard, languages, &error));
  g_assert_true (exitbox_wizard_set_tool_categories (wizard, categories, &error));
  g_assert_no_error (error);

  profiles = exitbox_wizard_dup_profiles (wizard, &error);
  g_assert_no_error (error);
  assert_strv ((const char * const *) profiles, "base python rust shell database");
}

static void
test_wizard_apply_first_run (void)
{
  g_autoptr(ExitboxCatalogue) catalogue = load_catalogue ();
  g_autoptr(ExitboxWizard) wizard = exitbox_wizard_new (catalogue, NULL);
  g_autoptr(ExitboxConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = make_config_dir ();
  g_autofree char *config_path = g_build_filename (dir, "config.yaml", NULL);
  g_autofree char *allowlist_path = g_build_filename (dir, "allowlist.yaml", NULL);
  g_autofree char *contents = NULL;
  const char *roles[] = { "backend", NULL };
  const char *languages[] = { "python", NULL };
  GStatBuf buffer;

  g_assert_true (exitbox_wizard_set_roles (wizard, roles, &error));
  g_assert_true (exitbox_wizard_set_languages (wizard, languages, &error));
  g_assert_true (exitbox_wizard_set_agent_enabled (wizard, "codex", TRUE, &error));
  g_assert_no_error (error);

  g_assert_true (exitbox_wizard_apply (wizard, dir, &error));
  g_assert_no_error (error);

  g_assert_true (g_file_test (allowlist_path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (g_stat (config_path, &buffer), ==, 0);
  g_assert_cmpint (buffer.st_mode & 0777, ==, 0600);

  /* The comments of the default file are still there. */
  contents = read_file (dir, "config.yaml");
  g_assert_nonnull (strstr (contents, "# ExitBox configuration.\n"));

  config = load_config (dir);
  assert_strv (exitbox_config_get_roles (config), "backend");
  assert_strv (exitbox_config_get_tool_categories (config), "build-tools database");
  assert_strv (exitbox_config_get_profiles (config), "base python build-tools database");
  g_assert_true (exitbox_config_get_agent_enabled (config, "claude"));
  g_assert_true (exitbox_config_get_agent_enabled (config, "codex"));
  g_assert_false (exitbox_config_get_agent_enabled (config, "opencode"));

  remove_config_dir (dir);
}

static void
test_wizard_apply_rerun (void)
{
  g_autoptr(ExitboxCatalogue) catalogue = load_catalogue ();
  g_autoptr(ExitboxConfig) before = NULL;
  g_autoptr(ExitboxConfig) after = NULL;
  g_autoptr(ExitboxWizard) wizard = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = make_config_dir ();
  g_autofree char *contents = NULL;
  g_autofree char *allowlist = NULL;
  const char *roles[] = { "data-science", NULL };

  write_file (dir, "config.yaml", existing_config);
  write_file (dir, "allowlist.yaml", existing_allowlist);

  before = load_config (dir);
  wizard = exitbox_wizard_new (catalogue, before);
  assert_strv (exitbox_wizard_get_languages (wizard), "node");

  g_assert_true (exitbox_wizard_set_roles (wizard, roles, &error));
  g_assert_true (exitbox_wizard_set_agent_enabled (wizard, "codex", TRUE, &error));
  g_assert_no_error (error);

  g_assert_true (exitbox_wizard_apply (wizard, dir, &error));
  g_assert_no_error (error);

  contents = read_file (dir, "config.yaml");
  g_assert_nonnull (strstr (contents, "\n# My roles, picked by hand.\nroles:\n"));
  g_assert_nonnull (strstr (contents, "    enabled: true  # keep this comment\n"));
  g_assert_nonnull (strstr (contents, "\nmy_own_key: {answer: 42}\n"));
  g_assert_null (strstr (contents, "frontend"));

  after = load_config (dir);
  assert_strv (exitbox_config_get_roles (after), "data-science");
  assert_strv (exitbox_config_get_tool_categories (after), "database");
  assert_strv (exitbox_config_get_profiles (after), "base python database");
  g_assert_true (exitbox_config_get_agent_enabled (after, "claude"));
  g_assert_true (exitbox_config_get_agent_enabled (after, "codex"));

  allowlist = read_file (dir, "allowlist.yaml");
  g_assert_cmpstr (allowlist, ==, existing_allowlist);

  remove_config_dir (dir);
}

static void
test_wizard_apply_parse_error (void)
{
  g_autoptr(ExitboxCatalogue) catalogue = load_catalogue ();
  g_autoptr(ExitboxWizard) wizard = exitbox_wizard_new (catalogue, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = make_config_dir ();
  g_autofree char *contents = NULL;
  const char *roles[] = { "security", NULL };
  const char broken[] = "version: 1\nroles: [frontend\n# unclosed list\n";

  write_file (dir, "config.yaml", broken);
  write_file (dir, "allowlist.yaml", existing_allowlist);
  g_assert_true (exitbox_wizard_set_roles (wizard, roles, NULL));

  g_assert_false (exitbox_wizard_apply (wizard, dir, &error));
  g_assert_error (error, EXITBOX_CONFIG_ERROR, EXITBOX_CONFIG_ERROR_PARSE);

  contents = read_file (dir, "config.yaml");
  g_assert_cmpstr (contents, ==, broken);

  remove_config_dir (dir);
}

static void
test_wizard_unknown_ids (void)
{
  g_autoptr(ExitboxCatalogue) catalogue = load_catalogue ();
  g_autoptr(ExitboxWizard) wizard = exitbox_wizard_new (catalogue, NULL);
  g_autoptr(GError) error = NULL;
  const char *roles[] = { "frontend", "astronaut", NULL };
  const char *languages[] = { "cobol", NULL };
  const char *categories[] = { "python", NULL };

  g_assert_false (exitbox_wizard_set_roles (wizard, roles, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "“astronaut”"));
  assert_strv (exitbox_wizard_get_roles (wizard), "");
  assert_strv (exitbox_wizard_get_languages (wizard), "");
  g_clear_error (&error);

  g_assert_false (exitbox_wizard_set_languages (wizard, languages, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "“cobol”"));
  g_clear_error (&error);

  g_assert_false (exitbox_wizard_set_tool_categories (wizard, categories, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "“python”"));
  g_clear_error (&error);

  g_assert_false (exitbox_wizard_set_agent_enabled (wizard, "gemini", TRUE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "“gemini”"));
}

static void
test_wizard_every_role (void)
{
  const struct
  {
    const char *role;
    const char *languages;
    const char *tool_categories;
    const char *profiles;
  } cases[] = {
    { "frontend", "node", "build-tools web", "base node build-tools web" },
    { "backend", "python go", "build-tools database", "base python go build-tools database" },
    { "fullstack", "node python", "build-tools database web",
      "base node python build-tools database web" },
    { "devops", "node python go", "build-tools shell networking devops",
      "base node python go build-tools shell networking devops" },
    { "data-science", "python", "database", "base python database" },
    { "mobile", "node flutter", "build-tools", "base node flutter build-tools" },
    { "embedded", "c rust", "build-tools", "base c rust build-tools" },
    { "security", "python go", "shell networking security",
      "base python go shell networking security" },
  };
  g_autoptr(ExitboxCatalogue) catalogue = load_catalogue ();
  g_auto(GStrv) roles = exitbox_catalogue_dup_ids (catalogue, EXITBOX_CATALOGUE_ROLE);

  /* The table covers every role of the catalogue. */
  g_assert_cmpuint (g_strv_length (roles), ==, G_N_ELEMENTS (cases));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(ExitboxWizard) wizard = exitbox_wizard_new (catalogue, NULL);
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) profiles = NULL;
      const char *chosen[] = { cases[i].role, NULL };

      g_test_message ("role: %s", cases[i].role);
      g_assert_true (exitbox_wizard_set_roles (wizard, chosen, &error));
      g_assert_no_error (error);
      assert_strv (exitbox_wizard_get_languages (wizard), cases[i].languages);
      assert_strv (exitbox_wizard_get_tool_categories (wizard), cases[i].tool_categories);

      profiles = exitbox_wizard_dup_profiles (wizard, &error);
      g_assert_no_error (error);
      assert_strv ((const char * const *) profiles, cases[i].profiles);

      /* Roles choose no agents: Claude Code stays the only default. */
      g_assert_true (exitbox_wizard_get_agent_enabled (wizard, "claude"));
      g_assert_false (exitbox_wizard_get_agent_enabled (wizard, "codex"));
      g_assert_false (exitbox_wizard_get_agent_enabled (wizard, "opencode"));
    }
}

static const char firewall_allowlist[] =
  "# Team allowlist.\n"
  "ai_providers:\n"
  "  - anthropic.com\n"
  "development:\n"
  "  - github.com   # code\n"
  "  - pypi.org\n"
  "internal:\n"
  "  - git.corp.example\n"
  "disabled:\n"
  "  - pypi.org\n";

static void
test_wizard_firewall_categories (void)
{
  g_autoptr(ExitboxCatalogue) catalogue = load_catalogue ();
  g_autoptr(ExitboxWizard) wizard = exitbox_wizard_new (catalogue, NULL);
  g_autoptr(ExitboxAllowlist) allowlist = NULL;
  g_autoptr(GError) error = NULL;

  /* Without a file, the default allowlist's categories. */
  assert_strv (exitbox_wizard_get_firewall_categories (wizard),
               "ai_providers development cloud_services custom");
  g_assert_true (exitbox_wizard_get_firewall_category_enabled (wizard, "custom"));

  allowlist = exitbox_allowlist_load_data (firewall_allowlist, -1, "allowlist.yaml");
  exitbox_wizard_set_allowlist (wizard, allowlist);
  assert_strv (exitbox_wizard_get_firewall_categories (wizard),
               "ai_providers development internal");
  g_assert_cmpuint (exitbox_wizard_get_firewall_category_size (wizard, "development"), ==, 2);

  /* One of two entries disabled still counts as enabled. */
  g_assert_true (exitbox_wizard_get_firewall_category_enabled (wizard, "development"));

  g_assert_true (exitbox_wizard_set_firewall_category_enabled (wizard, "internal", FALSE,
                                                               &error));
  g_assert_no_error (error);
  g_assert_false (exitbox_wizard_get_firewall_category_enabled (wizard, "internal"));

  g_assert_false (exitbox_wizard_set_firewall_category_enabled (wizard, "games", FALSE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "“games”"));
  g_clear_error (&error);

  /* Entries one by one: the category counts as enabled while one is. */
  g_assert_false (exitbox_wizard_get_firewall_entry_enabled (wizard, "pypi.org"));
  g_assert_true (exitbox_wizard_set_firewall_entry_enabled (wizard, "github.com", FALSE, &error));
  g_assert_no_error (error);
  g_assert_false (exitbox_wizard_get_firewall_category_enabled (wizard, "development"));
  g_assert_true (exitbox_wizard_set_firewall_entry_enabled (wizard, "pypi.org", TRUE, &error));
  g_assert_true (exitbox_wizard_get_firewall_category_enabled (wizard, "development"));

  g_assert_false (exitbox_wizard_set_firewall_entry_enabled (wizard, "gitlab.com", TRUE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

static void
apply_category_change (ExitboxCatalogue *catalogue,
                       const char       *dir,
                       const char       *category,
                       gboolean          enabled)
{
  g_autofree char *allowlist_path = g_build_filename (dir, "allowlist.yaml", NULL);
  g_autoptr(ExitboxAllowlist) allowlist = exitbox_allowlist_load_file (allowlist_path);
  g_autoptr(ExitboxWizard) wizard = exitbox_wizard_new (catalogue, NULL);
  g_autoptr(GError) error = NULL;

  exitbox_wizard_set_allowlist (wizard, allowlist);
  g_assert_true (exitbox_wizard_set_firewall_category_enabled (wizard, category, enabled,
                                                               &error));
  g_assert_no_error (error);
  g_assert_true (exitbox_wizard_apply (wizard, dir, &error));
  g_assert_no_error (error);
}

static void
apply_category_toggle_twice (ExitboxCatalogue *catalogue,
                             const char       *dir,
                             const char       *category)
{
  g_autofree char *allowlist_path = g_build_filename (dir, "allowlist.yaml", NULL);
  g_autoptr(ExitboxAllowlist) allowlist = exitbox_allowlist_load_file (allowlist_path);
  g_autoptr(ExitboxWizard) wizard = exitbox_wizard_new (catalogue, NULL);
  g_autoptr(GError) error = NULL;

  exitbox_wizard_set_allowlist (wizard, allowlist);
  g_assert_true (exitbox_wizard_set_firewall_category_enabled (wizard, category, FALSE, &error));
  g_assert_true (exitbox_wizard_set_firewall_category_enabled (wizard, category, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (exitbox_wizard_apply (wizard, dir, &error));
  g_assert_no_error (error);
}

static void
test_wizard_apply_firewall (void)
{
  const char *expected_off =
    "# Team allowlist.\n"
    "ai_providers:\n"
    "  - anthropic.com\n"
    "development:\n"
    "  - github.com   # code\n"
    "  - pypi.org\n"
    "internal:\n"
    "  - git.corp.example\n"
    "disabled:\n"
    "  - pypi.org\n"
    "  - git.corp.example\n";
  const char *expected_all_on =
    "# Team allowlist.\n"
    "ai_providers:\n"
    "  - anthropic.com\n"
    "development:\n"
    "  - github.com   # code\n"
    "  - pypi.org\n"
    "internal:\n"
    "  - git.corp.example\n"
    "disabled:\n";
  g_autoptr(ExitboxCatalogue) catalogue = load_catalogue ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = make_config_dir ();
  g_autofree char *config_path = g_build_filename (dir, "config.yaml", NULL);
  g_autofree char *allowlist_path = g_build_filename (dir, "allowlist.yaml", NULL);
  g_autofree char *after_off = NULL;
  g_autofree char *after_on = NULL;
  g_autofree char *after_same = NULL;

  g_file_set_contents (config_path, "version: 1\n", -1, &error);
  g_file_set_contents (allowlist_path, firewall_allowlist, -1, &error);
  g_assert_no_error (error);

  /* A category switched off sends its entries to the disabled list. */
  apply_category_change (catalogue, dir, "internal", FALSE);
  g_assert_true (g_file_get_contents (allowlist_path, &after_off, NULL, &error));
  g_assert_cmpstr (after_off, ==, expected_off);

  /* Switched on again, the file is as it was. */
  apply_category_change (catalogue, dir, "internal", TRUE);
  g_assert_true (g_file_get_contents (allowlist_path, &after_on, NULL, &error));
  g_assert_cmpstr (after_on, ==, firewall_allowlist);

  /* Switching on a category the file has on keeps the entries disabled
   * one by one, here pypi.org.
   */
  apply_category_change (catalogue, dir, "development", TRUE);
  g_assert_true (g_file_get_contents (allowlist_path, &after_same, NULL, &error));
  g_assert_cmpstr (after_same, ==, firewall_allowlist);

  /* Switched off and on in one run, the category comes back the same way. */
  apply_category_toggle_twice (catalogue, dir, "development");
  g_clear_pointer (&after_same, g_free);
  g_assert_true (g_file_get_contents (allowlist_path, &after_same, NULL, &error));
  g_assert_cmpstr (after_same, ==, firewall_allowlist);

  /* A category that is all off comes back with every entry. */
  apply_category_change (catalogue, dir, "development", FALSE);
  apply_category_change (catalogue, dir, "development", TRUE);
  g_clear_pointer (&after_same, g_free);
  g_assert_true (g_file_get_contents (allowlist_path, &after_same, NULL, &error));
  g_assert_cmpstr (after_same, ==, expected_all_on);

  remove_config_dir (dir);
}

static void
test_wizard_apply_keeps_spelling (void)
{
  const char *original =
    "version: 1\n"
    "roles:\n"
    "  - Backend   # my main role\n"
    "tool_categories: [Build Tools, Database]\n"
    "profiles: [base, python, go, build-tools, database]\n";
  const char *expected =
    "version: 1\n"
    "roles:\n"
    "  - Backend   # my main role\n"
    "tool_categories: [\"Build Tools\", web]\n"
    "profiles: [base, python, go, build-tools, web]\n";
  g_autoptr(ExitboxCatalogue) catalogue = load_catalogue ();
  g_autoptr(ExitboxWizard) wizard = NULL;
  g_autoptr(ExitboxConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = make_config_dir ();
  g_autofree char *config_path = g_build_filename (dir, "config.yaml", NULL);
  g_autofree char *allowlist_path = g_build_filename (dir, "allowlist.yaml", NULL);
  g_autofree char *unchanged = NULL;
  g_autofree char *changed = NULL;
  const char *categories[] = { "build-tools", "web", NULL };

  g_file_set_contents (config_path, original, -1, &error);
  g_file_set_contents (allowlist_path, "custom: [example.com]\n", -1, &error);
  g_assert_no_error (error);

  config = exitbox_config_load_file (config_path, &error);
  g_assert_no_error (error);
  wizard = exitbox_wizard_new (catalogue, config);
  assert_strv (exitbox_wizard_get_roles (wizard), "backend");
  assert_strv (exitbox_wizard_get_tool_categories (wizard), "build-tools database");

  /* Applying the same choices leaves the user's spelling and comment. */
  g_assert_true (exitbox_wizard_apply (wizard, dir, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (config_path, &unchanged, NULL, NULL));
  g_assert_cmpstr (unchanged, ==, original);

  /* A change to a "[a, b]" list rewrites it between its brackets. */
  g_assert_true (exitbox_wizard_set_tool_categories (wizard, categories, &error));
  g_assert_true (exitbox_wizard_apply (wizard, dir, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (config_path, &changed, NULL, NULL));
  g_assert_cmpstr (changed, ==, expected);

  remove_config_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  exitbox_core_init ();

  g_test_add_func ("/wizard/seed-defaults", test_wizard_seed_defaults);
  g_test_add_func ("/wizard/seed-config", test_wizard_seed_config);
  g_test_add_func ("/wizard/role-suggestions", test_wizard_role_suggestions);
  g_test_add_func ("/wizard/profiles-deduplicated", test_wizard_profiles_deduplicated);
  g_test_add_func ("/wizard/apply-first-run", test_wizard_apply_first_run);
  g_test_add_func ("/wizard/apply-rerun", test_wizard_apply_rerun);
  g_test_add_func ("/wizard/apply-parse-error", test_wizard_apply_parse_error);
  g_test_add_func ("/wizard/unknown-ids", test_wizard_unknown_ids);
  g_test_add_func ("/wizard/every-role", test_wizard_every_role);
  g_test_add_func ("/wizard/apply-keeps-spelling", test_wizard_apply_keeps_spelling);
  g_test_add_func ("/wizard/firewall-categories", test_wizard_firewall_categories);
  g_test_add_func ("/wizard/apply-firewall", test_wizard_apply_firewall);

  return g_test_run ();
}
