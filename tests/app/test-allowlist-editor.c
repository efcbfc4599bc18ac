/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 *
 * The allowlist editor page against a real allowlist.yaml in a temporary
 * folder. Runs under an X server: see run-under-display.sh.
 */

#include <string.h>

#include <adwaita.h>

#include "exitbox-allowlist-editor.h"
#include "exitbox-core.h"
#include "exitbox-test-utils.h"

static const char allowlist_yaml[] =
  "# The team's list.\n"
  "version: 1\n"
  "ai_providers:\n"
  "  - anthropic.com   # Claude\n"
  "development:\n"
  "  - github.com\n"
  "  - pypi.org\n"
  "custom:\n"
  "  - example.com\n";

typedef struct
{
  char                   *dir;
  char                   *path;
  ExitboxAllowlistEditor *editor;
  GtkWidget              *window;
  char                   *last_message;
  guint                   n_messages;
} Fixture;

static void
message_cb (ExitboxAllowlistEditor *editor,
            const char             *text,
            Fixture                *fixture)
{
  g_free (fixture->last_message);
  fixture->last_message = g_strdup (text);
  fixture->n_messages++;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  const char *contents = user_data != NULL ? user_data : allowlist_yaml;

  fixture->dir = exitbox_test_make_tmpdir ("exitbox-test-editor-XXXXXX");
  fixture->path = g_build_filename (fixture->dir, "allowlist.yaml", NULL);
  exitbox_test_write_file (fixture->path, contents);

  fixture->editor = g_object_ref_sink (exitbox_allowlist_editor_new (fixture->path));
  g_signal_connect (fixture->editor, "message", G_CALLBACK (message_cb), fixture);

  /* A window realizes the rows, as in the preferences window. */
  fixture->window = adw_window_new ();
  adw_window_set_content (ADW_WINDOW (fixture->window), GTK_WIDGET (fixture->editor));
  gtk_window_present (GTK_WINDOW (fixture->window));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->editor);
  exitbox_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->last_message);
}

static char *
read_allowlist (Fixture *fixture)
{
  return exitbox_test_read_file (fixture->path);
}

static void
test_editor_lists_entries (Fixture       *fixture,
                           gconstpointer  user_data)
{
  GtkCheckButton *check = exitbox_allowlist_editor_get_check (fixture->editor, "development",
                                                              "github.com");

  g_assert_nonnull (check);
  g_assert_true (gtk_check_button_get_active (check));
  g_assert_nonnull (exitbox_allowlist_editor_get_row (fixture->editor, "ai_providers",
                                                      "anthropic.com"));
  g_assert_null (exitbox_allowlist_editor_get_row (fixture->editor, "custom", "github.com"));
}

static void
test_editor_uncheck_disables (Fixture       *fixture,
                              gconstpointer  user_data)
{
  const char *expected =
    "# The team's list.\n"
    "version: 1\n"
    "ai_providers:\n"
    "  - anthropic.com   # Claude\n"
    "development:\n"
    "  - github.com\n"
    "  - pypi.org\n"
    "custom:\n"
    "  - example.com\n"
    "disabled:\n"
    "  - github.com\n";
  GtkCheckButton *check = exitbox_allowlist_editor_get_check (fixture->editor, "development",
                                                              "github.com");
  g_autofree char *after = NULL;
  g_autofree char *restored = NULL;
  g_autofree char *expected_restored = g_strconcat (allowlist_yaml, "disabled:\n", NULL);

  gtk_widget_activate (GTK_WIDGET (check));

  after = read_allowlist (fixture);
  g_assert_cmpstr (after, ==, expected);
  g_assert_cmpstr (fixture->last_message, ==, "Disabled github.com");

  /* The rows are rebuilt from the file, unchecked. */
  check = exitbox_allowlist_editor_get_check (fixture->editor, "development", "github.com");
  g_assert_false (gtk_check_button_get_active (check));

  gtk_widget_activate (GTK_WIDGET (check));
  restored = read_allowlist (fixture);
  g_assert_cmpstr (restored, ==, expected_restored);
}

static void
test_editor_add_valid (Fixture       *fixture,
                       gconstpointer  user_data)
{
  AdwEntryRow *entry_row = exitbox_allowlist_editor_get_entry_row (fixture->editor);
  g_autofree char *after = NULL;
  const char *result;
  gboolean is_error = FALSE;

  gtk_editable_set_text (GTK_EDITABLE (entry_row), "https://API.Example.org/v1");
  g_assert_null (exitbox_allowlist_editor_get_entry_problem (fixture->editor));

  exitbox_allowlist_editor_set_category (fixture->editor, "development");
  g_signal_emit_by_name (entry_row, "apply");

  after = read_allowlist (fixture);
  g_assert_nonnull (strstr (after, "  - pypi.org\n  - api.example.org\ncustom:"));

  /* The long notice about the URL shows whole in the page, not in a toast. */
  result = exitbox_allowlist_editor_get_result (fixture->editor, &is_error);
  g_assert_nonnull (result);
  g_assert_false (is_error);
  g_assert_nonnull (strstr (result, "only api.example.org is used"));
  g_assert_cmpuint (fixture->n_messages, ==, 0);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry_row)), ==, "");
  g_assert_nonnull (exitbox_allowlist_editor_get_row (fixture->editor, "development",
                                                      "api.example.org"));
}

static void
test_editor_add_invalid (Fixture       *fixture,
                         gconstpointer  user_data)
{
  AdwEntryRow *entry_row = exitbox_allowlist_editor_get_entry_row (fixture->editor);
  g_autofree char *after = NULL;
  gboolean is_error = FALSE;

  gtk_editable_set_text (GTK_EDITABLE (entry_row), "bad name.com");
  g_assert_nonnull (exitbox_allowlist_editor_get_entry_problem (fixture->editor));
  g_assert_nonnull (strstr (exitbox_allowlist_editor_get_entry_problem (fixture->editor),
                            "white space"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (entry_row), "error"));

  g_signal_emit_by_name (entry_row, "apply");
  g_assert_nonnull (exitbox_allowlist_editor_get_result (fixture->editor, &is_error));
  g_assert_true (is_error);
  g_assert_cmpuint (fixture->n_messages, ==, 0);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry_row)), ==, "bad name.com");

  after = read_allowlist (fixture);
  g_assert_cmpstr (after, ==, allowlist_yaml);

  /* Correcting the text clears the problem. */
  gtk_editable_set_text (GTK_EDITABLE (entry_row), "good-name.com");
  g_assert_null (exitbox_allowlist_editor_get_entry_problem (fixture->editor));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (entry_row), "error"));
  g_assert_null (exitbox_allowlist_editor_get_result (fixture->editor, NULL));
}

static void
test_editor_remove (Fixture       *fixture,
                    gconstpointer  user_data)
{
  GtkButton *remove = exitbox_allowlist_editor_get_remove (fixture->editor, "custom",
                                                           "example.com");
  g_autofree char *after = NULL;

  g_assert_nonnull (remove);
  g_signal_emit_by_name (remove, "clicked");

  after = read_allowlist (fixture);
  g_assert_null (strstr (after, "example.com"));
  g_assert_nonnull (strstr (after, "# Claude"));
  g_assert_null (exitbox_allowlist_editor_get_row (fixture->editor, "custom", "example.com"));
  g_assert_cmpstr (fixture->last_message, ==, "Removed example.com");
}

/* A change that fails shows the whole error on the entry's row. */
static void
test_editor_toggle_error_on_row (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  GtkCheckButton *check = exitbox_allowlist_editor_get_check (fixture->editor, "development",
                                                              "github.com");
  GtkWidget *row = NULL;
  const char *subtitle;

  /* A newer ExitBox wrote the file after the page showed it. */
  exitbox_test_write_file (fixture->path, "version: 99\ndevelopment:\n  - github.com\n");
  gtk_widget_activate (GTK_WIDGET (check));

  g_assert_cmpuint (fixture->n_messages, ==, 0);
  row = exitbox_allowlist_editor_get_row (fixture->editor, "development", "github.com");
  g_assert_nonnull (row);
  g_assert_true (gtk_widget_has_css_class (row, "error"));
  subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
  g_assert_nonnull (strstr (subtitle, "has version 99"));
  g_assert_nonnull (strstr (subtitle, "the file was not changed"));
}

/* An entry that another program removed has no row to show the error. */
static void
test_editor_toggle_error_without_row (Fixture       *fixture,
                                      gconstpointer  user_data)
{
  GtkCheckButton *check = exitbox_allowlist_editor_get_check (fixture->editor, "development",
                                                              "github.com");
  const char *result;
  gboolean is_error = FALSE;

  exitbox_test_write_file (fixture->path, "version: 1\ndevelopment:\n  - pypi.org\n");
  gtk_widget_activate (GTK_WIDGET (check));

  g_assert_cmpuint (fixture->n_messages, ==, 0);
  g_assert_null (exitbox_allowlist_editor_get_row (fixture->editor, "development",
                                                   "github.com"));
  result = exitbox_allowlist_editor_get_result (fixture->editor, &is_error);
  g_assert_nonnull (result);
  g_assert_true (is_error);
  g_assert_nonnull (strstr (result, "github.com"));
}

static void
test_editor_category_names (Fixture       *fixture,
                            gconstpointer  user_data)
{
  GtkWidget *row = exitbox_allowlist_editor_get_row (fixture->editor, "ai_providers",
                                                     "anthropic.com");
  GtkWidget *expander = gtk_widget_get_ancestor (row, ADW_TYPE_EXPANDER_ROW);

  g_assert_nonnull (expander);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (expander)), ==,
                   "AI providers");
}

static void
test_editor_filter (Fixture       *fixture,
                    gconstpointer  user_data)
{
  GtkWidget *github = NULL;
  GtkWidget *anthropic = NULL;

  exitbox_allowlist_editor_set_filter (fixture->editor, "GIT");
  github = exitbox_allowlist_editor_get_row (fixture->editor, "development", "github.com");
  anthropic = exitbox_allowlist_editor_get_row (fixture->editor, "ai_providers", "anthropic.com");
  g_assert_true (gtk_widget_get_visible (github));
  g_assert_false (gtk_widget_get_visible (anthropic));

  exitbox_allowlist_editor_set_filter (fixture->editor, "");
  g_assert_true (gtk_widget_get_visible (anthropic));
}

static void
test_editor_broken_file (Fixture       *fixture,
                         gconstpointer  user_data)
{
  AdwEntryRow *entry_row = exitbox_allowlist_editor_get_entry_row (fixture->editor);
  g_autofree char *after = NULL;

  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (entry_row)));
  g_assert_null (exitbox_allowlist_editor_get_row (fixture->editor, "custom", "example.com"));

  after = read_allowlist (fixture);
  g_assert_cmpstr (after, ==, user_data);
}

static void
test_editor_accessible_labels (Fixture       *fixture,
                               gconstpointer  user_data)
{
  GtkButton *remove = exitbox_allowlist_editor_get_remove (fixture->editor, "custom",
                                                           "example.com");

  /* The remove button shows only an icon, so its tooltip names the entry. */
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (remove)), ==, "Remove example.com");
}

static void
test_editor_add_disabled_enables (Fixture       *fixture,
                                  gconstpointer  user_data)
{
  AdwEntryRow *entry_row = exitbox_allowlist_editor_get_entry_row (fixture->editor);
  GtkCheckButton *check = exitbox_allowlist_editor_get_check (fixture->editor, "development",
                                                              "github.com");
  g_autofree char *after = NULL;

  gtk_widget_activate (GTK_WIDGET (check));
  gtk_editable_set_text (GTK_EDITABLE (entry_row), "github.com");
  g_signal_emit_by_name (entry_row, "apply");

  /* Adding a disabled entry ticks it again instead of failing. */
  g_assert_nonnull (strstr (exitbox_allowlist_editor_get_result (fixture->editor, NULL),
                            "Enabled github.com"));
  check = exitbox_allowlist_editor_get_check (fixture->editor, "development", "github.com");
  g_assert_true (gtk_check_button_get_active (check));
  after = read_allowlist (fixture);
  g_assert_null (strstr (after, "  - github.com\n  - pypi.org\ncustom:\n  - example.com\ndisabled:\n  - github.com"));
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  exitbox_core_init ();

#define ADD_TEST(path, data, func) \
  g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down)

  ADD_TEST ("/allowlist-editor/lists-entries", NULL, test_editor_lists_entries);
  ADD_TEST ("/allowlist-editor/uncheck-disables", NULL, test_editor_uncheck_disables);
  ADD_TEST ("/allowlist-editor/add-valid", NULL, test_editor_add_valid);
  ADD_TEST ("/allowlist-editor/add-invalid", NULL, test_editor_add_invalid);
  ADD_TEST ("/allowlist-editor/remove", NULL, test_editor_remove);
  ADD_TEST ("/allowlist-editor/toggle-error-on-row", NULL, test_editor_toggle_error_on_row);
  ADD_TEST ("/allowlist-editor/toggle-error-without-row", NULL,
            test_editor_toggle_error_without_row);
  ADD_TEST ("/allowlist-editor/category-names", NULL, test_editor_category_names);
  ADD_TEST ("/allowlist-editor/filter", NULL, test_editor_filter);
  ADD_TEST ("/allowlist-editor/broken-file", "development: [github.com\n",
            test_editor_broken_file);
  ADD_TEST ("/allowlist-editor/accessible-labels", NULL, test_editor_accessible_labels);
  ADD_TEST ("/allowlist-editor/add-disabled-enables", NULL, test_editor_add_disabled_enables);

  return g_test_run ();
}
