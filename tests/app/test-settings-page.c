/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 *
 * The General preferences page against a real config.yaml in a temporary
 * folder. Runs under an X server: see run-under-display.sh.
 */

#include <string.h>

#include <adwaita.h>

#include "exitbox-core.h"
#include "exitbox-settings-page.h"
#include "exitbox-test-utils.h"

static const char config_yaml[] =
  "# Mine.\n"
  "version: 1\n"
  "settings:\n"
  "  default_flags:\n"
  "    memory: 8g   # plenty\n";

typedef struct
{
  char                *dir;
  char                *path;
  ExitboxSettingsPage *page;
  GtkWidget           *window;
  char                *last_message;
} Fixture;

static void
message_cb (ExitboxSettingsPage *page,
            const char          *text,
            Fixture             *fixture)
{
  g_free (fixture->last_message);
  fixture->last_message = g_strdup (text);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(ExitboxConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  fixture->dir = exitbox_test_make_tmpdir ("exitbox-test-settings-XXXXXX");
  fixture->path = g_build_filename (fixture->dir, "config.yaml", NULL);
  exitbox_test_write_file (fixture->path, config_yaml);

  config = exitbox_config_load_file (fixture->path, &error);
  g_assert_no_error (error);

  fixture->page = g_object_ref_sink (exitbox_settings_page_new (fixture->path, config));
  g_signal_connect (fixture->page, "message", G_CALLBACK (message_cb), fixture);

  fixture->window = adw_window_new ();
  adw_window_set_content (ADW_WINDOW (fixture->window), GTK_WIDGET (fixture->page));
  gtk_window_present (GTK_WINDOW (fixture->window));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->page);
  exitbox_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->last_message);
}

/* Finds the first widget of @type below @widget, and for rows the first
 * whose title starts with @title.
 */
static GtkWidget *
find_widget (GtkWidget  *widget,
             GType       type,
             const char *title)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type) &&
          (title == NULL ||
           (ADW_IS_PREFERENCES_ROW (child) &&
            g_str_has_prefix (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (child)),
                              title))))
        return child;

      found = find_widget (child, type, title);
      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
test_settings_shows_values (Fixture       *fixture,
                            gconstpointer  user_data)
{
  GtkWidget *memory = find_widget (GTK_WIDGET (fixture->page), ADW_TYPE_ENTRY_ROW, "Memory");

  g_assert_nonnull (memory);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (memory)), ==, "8g");
  g_assert_null (fixture->last_message);
}

static void
test_settings_switch_saves (Fixture       *fixture,
                            gconstpointer  user_data)
{
  GtkWidget *read_only = find_widget (GTK_WIDGET (fixture->page), GTK_TYPE_SWITCH, NULL);
  g_autofree char *after = NULL;

  /* The first switch is Read-Only Project. */
  g_assert_nonnull (read_only);
  gtk_switch_set_active (GTK_SWITCH (read_only), TRUE);

  after = exitbox_test_read_file (fixture->path);
  g_assert_nonnull (strstr (after, "    read_only: true\n"));
  g_assert_nonnull (strstr (after, "    memory: 8g   # plenty\n"));
  g_assert_null (exitbox_settings_page_get_error (fixture->page));
  g_assert_cmpstr (fixture->last_message, ==, "Saved settings.default_flags.read_only: true");
}

static void
test_settings_invalid_memory (Fixture       *fixture,
                              gconstpointer  user_data)
{
  GtkWidget *memory = find_widget (GTK_WIDGET (fixture->page), ADW_TYPE_ENTRY_ROW, "Memory");
  g_autofree char *after = NULL;

  const char *error;

  gtk_editable_set_text (GTK_EDITABLE (memory), "lots");
  g_signal_emit_by_name (memory, "apply");

  /* The error names the typed value and what is accepted, with no
   * position in a file that never contained it.
   */
  error = exitbox_settings_page_get_error (fixture->page);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error, "“lots”"));
  g_assert_nonnull (strstr (error, "such as 8g or 512m"));
  g_assert_null (strstr (error, "config.yaml"));
  g_assert_true (gtk_widget_has_css_class (memory, "error"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (memory)), ==, "lots");
  g_assert_null (fixture->last_message);
  after = exitbox_test_read_file (fixture->path);
  g_assert_cmpstr (after, ==, config_yaml);

  gtk_editable_set_text (GTK_EDITABLE (memory), "16g");
  g_signal_emit_by_name (memory, "apply");
  g_assert_null (exitbox_settings_page_get_error (fixture->page));
  g_assert_false (gtk_widget_has_css_class (memory, "error"));
  g_assert_cmpstr (fixture->last_message, ==, "Saved settings.default_flags.memory: 16g");
  g_clear_pointer (&after, g_free);
  after = exitbox_test_read_file (fixture->path);
  g_assert_nonnull (strstr (after, "    memory: 16g   # plenty\n"));
}

static void
test_settings_reload_clears_error (Fixture       *fixture,
                                   gconstpointer  user_data)
{
  GtkWidget *memory = find_widget (GTK_WIDGET (fixture->page), ADW_TYPE_ENTRY_ROW, "Memory");
  g_autoptr(ExitboxConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  gtk_editable_set_text (GTK_EDITABLE (memory), "lots");
  g_signal_emit_by_name (memory, "apply");
  g_assert_nonnull (exitbox_settings_page_get_error (fixture->page));

  /* Reload Settings shows the file's values, so the error is out of date. */
  config = exitbox_config_load_file (fixture->path, &error);
  g_assert_no_error (error);
  exitbox_settings_page_set_config (fixture->page, config);
  g_assert_null (exitbox_settings_page_get_error (fixture->page));
  g_assert_false (gtk_widget_has_css_class (memory, "error"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (memory)), ==, "8g");
}

static void
test_settings_without_config (Fixture       *fixture,
                              gconstpointer  user_data)
{
  exitbox_settings_page_set_config (fixture->page, NULL);
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (fixture->page)));
}

static void
test_settings_failed_save_reverts (Fixture       *fixture,
                                   gconstpointer  user_data)
{
  GtkWidget *read_only = find_widget (GTK_WIDGET (fixture->page), GTK_TYPE_SWITCH, NULL);
  g_autofree char *after = NULL;

  /* The file breaks after the page showed it. */
  exitbox_test_write_file (fixture->path, "settings: [broken\n");
  gtk_switch_set_active (GTK_SWITCH (read_only), TRUE);

  g_assert_nonnull (exitbox_settings_page_get_error (fixture->page));
  g_assert_null (fixture->last_message);
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (read_only)));
  after = exitbox_test_read_file (fixture->path);
  g_assert_cmpstr (after, ==, "settings: [broken\n");
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  exitbox_core_init ();

#define ADD_TEST(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD_TEST ("/settings-page/shows-values", test_settings_shows_values);
  ADD_TEST ("/settings-page/switch-saves", test_settings_switch_saves);
  ADD_TEST ("/settings-page/invalid-memory", test_settings_invalid_memory);
  ADD_TEST ("/settings-page/reload-clears-error", test_settings_reload_clears_error);
  ADD_TEST ("/settings-page/without-config", test_settings_without_config);
  ADD_TEST ("/settings-page/failed-save-reverts", test_settings_failed_save_reverts);

  return g_test_run ();
}
