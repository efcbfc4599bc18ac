/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 *
 * Saves PNG screenshots of the desktop app for review: each page of the
 * setup window, the main window, its main menu, the keyboard shortcuts
 * window, the project's profile picker and a session tab. Both
 * preferences pages are saved with and without the message of a change,
 * and the allowlist editor is opened as the status bar opens it.
 * On each of them every control must have a name that a screen reader can
 * read.
 * It runs against temporary XDG folders and the fake podman of
 * tests/app/fake-engine, under an X server (see run-under-display.sh).
 *
 * Environment:
 *   EXITBOX_SCREENSHOT_DIR  where the PNG files go (default: "screenshot-files"
 *                           in the build folder of the desktop tests)
 */

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "exitbox-app-test-utils.h"
#include "exitbox-application.h"
#include "exitbox-profile-page.h"
#include "exitbox-session-tab.h"
#include "exitbox-setup-window.h"
#include "exitbox-test-utils.h"
#include "exitbox-window.h"


static const char * const setup_pages[] = {
  "welcome", "roles", "languages", "tool-categories", "agents", "firewall", "review",
};

typedef struct
{
  char          *output_dir;
  char          *project_dir;
  ExitboxWindow *window;
  GPtrArray     *saved;  /* paths of the PNG files written */
} Screenshots;

static gboolean
window_is_idle (gpointer data)
{
  return !exitbox_window_get_refreshing (EXITBOX_WINDOW (data));
}

static gboolean
session_has_ended (gpointer data)
{
  ExitboxSessionState state = exitbox_session_tab_get_state (EXITBOX_SESSION_TAB (data));

  return state == EXITBOX_SESSION_STATE_FAILED || state == EXITBOX_SESSION_STATE_EXITED;
}

static void
save (Screenshots *shots,
      GtkWidget   *window,
      const char  *name)
{
  g_autofree char *file_name = g_strconcat (name, ".png", NULL);
  char *path = g_build_filename (shots->output_dir, file_name, NULL);

  exitbox_app_test_save_screenshot (window, path);
  g_ptr_array_add (shots->saved, path);

  /* Every screen saved for review is also one a screen reader must be
   * able to read.
   */
  exitbox_app_test_assert_controls_named (window, name);
}

static GtkWindow *
find_window (GApplication *application,
             GType         type)
{
  for (GList *windows = gtk_application_get_windows (GTK_APPLICATION (application));
       windows != NULL;
       windows = windows->next)
    {
      if (G_TYPE_CHECK_INSTANCE_TYPE (windows->data, type))
        return windows->data;
    }

  return NULL;
}

static void
save_setup_pages (Screenshots  *shots,
                  GApplication *application)
{
  ExitboxSetupWindow *setup = EXITBOX_SETUP_WINDOW (find_window (application,
                                                                 EXITBOX_TYPE_SETUP_WINDOW));

  g_assert_nonnull (setup);

  for (guint i = 0; i < G_N_ELEMENTS (setup_pages); i++)
    {
      g_autofree char *name = g_strconcat ("setup-", setup_pages[i], NULL);

      g_assert_cmpstr (exitbox_setup_window_get_page (setup), ==, setup_pages[i]);
      save (shots, GTK_WIDGET (setup), name);

      /* A role makes the later pages show pre-selected items. */
      if (g_str_equal (setup_pages[i], "roles"))
        gtk_widget_activate (GTK_WIDGET (exitbox_setup_window_get_check (setup, "roles",
                                                                         "backend")));

      if (i + 1 < G_N_ELEMENTS (setup_pages))
        exitbox_setup_window_go_next (setup);
    }

  /* Saving writes the files, as a user who finished setup would. */
  exitbox_setup_window_go_next (setup);
}

/* Finds the menu button with @icon_name below @widget. */
static GtkMenuButton *
find_menu_button (GtkWidget  *widget,
                  const char *icon_name)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkMenuButton *found;

      if (GTK_IS_MENU_BUTTON (child) &&
          g_strcmp0 (gtk_menu_button_get_icon_name (GTK_MENU_BUTTON (child)), icon_name) == 0)
        return GTK_MENU_BUTTON (child);

      found = find_menu_button (child, icon_name);
      if (found != NULL)
        return found;
    }

  return NULL;
}

/* Finds the first widget of @type below @widget. */
static GtkWidget *
find_descendant (GtkWidget *widget,
                 GType      type)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type))
        return child;

      found = find_descendant (child, type);
      if (found != NULL)
        return found;
    }

  return NULL;
}

/* Types @text into the first entry row of @page and applies it. */
static void
apply_text (GtkWidget  *page,
            const char *text)
{
  GtkWidget *row = find_descendant (page, ADW_TYPE_ENTRY_ROW);

  g_assert_nonnull (row);
  gtk_editable_set_text (GTK_EDITABLE (row), text);
  g_signal_emit_by_name (row, "apply");
}

/* The main menu, open, as a popover surface of its own. */
static void
save_main_menu (Screenshots *shots)
{
  GtkMenuButton *button = find_menu_button (GTK_WIDGET (shots->window), "open-menu-symbolic");
  GtkPopover *popover;

  g_assert_nonnull (button);
  gtk_menu_button_popup (button);
  popover = gtk_menu_button_get_popover (button);
  g_assert_nonnull (popover);
  save (shots, GTK_WIDGET (popover), "main-menu");
  gtk_menu_button_popdown (button);
}

static void
save_shortcuts_window (Screenshots *shots)
{
  GtkShortcutsWindow *overlay;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (shots->window),
                                             "win.show-help-overlay", NULL));
  overlay = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (shots->window));
  g_assert_nonnull (overlay);
  save (shots, GTK_WIDGET (overlay), "shortcuts");
  gtk_widget_set_visible (GTK_WIDGET (overlay), FALSE);
}

static void
activate_after_cb (GApplication *application,
                   Screenshots  *shots)
{
  GtkWindow *preferences;
  ExitboxProfilePage *profiles;
  AdwTabView *tab_view;
  ExitboxSessionTab *tab;

  shots->window = EXITBOX_WINDOW (find_window (application, EXITBOX_TYPE_WINDOW));
  g_assert_nonnull (shots->window);

  save_setup_pages (shots, application);

  exitbox_window_open_project (shots->window, shots->project_dir);
  exitbox_app_test_iterate_until (window_is_idle, shots->window);
  save (shots, GTK_WIDGET (shots->window), "main-window");
  save_main_menu (shots);
  save_shortcuts_window (shots);

  profiles = exitbox_window_show_project_profiles (shots->window);
  g_assert_nonnull (profiles);
  save (shots, GTK_WIDGET (gtk_widget_get_root (GTK_WIDGET (profiles))), "profile-picker");
  gtk_window_destroy (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (profiles))));

  g_action_group_activate_action (G_ACTION_GROUP (application), "preferences", NULL);
  preferences = find_window (application, ADW_TYPE_PREFERENCES_WINDOW);
  g_assert_nonnull (preferences);
  save (shots, GTK_WIDGET (preferences), "preferences-general");

  /* An invalid memory limit: the whole error shows under the field, which
   * a taller window shows without scrolling.
   */
  gtk_window_set_default_size (preferences, 640, 860);
  apply_text (GTK_WIDGET (adw_preferences_window_get_visible_page (ADW_PREFERENCES_WINDOW (preferences))),
              "lots");
  save (shots, GTK_WIDGET (preferences), "preferences-general-error");
  gtk_window_destroy (preferences);

  /* The status bar's allowlist button runs app.allowlist. */
  g_action_group_activate_action (G_ACTION_GROUP (application), "allowlist", NULL);
  preferences = find_window (application, ADW_TYPE_PREFERENCES_WINDOW);
  g_assert_nonnull (preferences);
  g_assert_cmpstr (adw_preferences_window_get_visible_page_name (ADW_PREFERENCES_WINDOW (preferences)),
                   ==, "firewall");
  save (shots, GTK_WIDGET (preferences), "allowlist-editor");

  /* A URL: the notice that only its host is used shows whole. */
  apply_text (GTK_WIDGET (adw_preferences_window_get_visible_page (ADW_PREFERENCES_WINDOW (preferences))),
              "https://example.com/some/path");
  save (shots, GTK_WIDGET (preferences), "allowlist-editor-url");
  gtk_window_destroy (preferences);

  /* The fake engine fails the build, so the tab shows the build output. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (shots->window),
                                             "win.launch-agent", "s", "shell"));
  tab_view = exitbox_window_get_tab_view (shots->window);
  g_assert_cmpint (adw_tab_view_get_n_pages (tab_view), ==, 1);
  tab = EXITBOX_SESSION_TAB (adw_tab_page_get_child (adw_tab_view_get_nth_page (tab_view, 0)));
  exitbox_app_test_iterate_until (session_has_ended, tab);
  save (shots, GTK_WIDGET (shots->window), "session-tab");

  gtk_window_destroy (GTK_WINDOW (shots->window));
  g_application_quit (application);
}

static void
test_screenshots (void)
{
  g_autoptr(ExitboxApplication) app = NULL;
  g_autofree char *fake_dir = g_test_build_filename (G_TEST_DIST, "fake-engine", NULL);
  g_autofree char *base = exitbox_test_make_tmpdir ("exitbox-screenshots-XXXXXX");
  const char *output_dir = g_getenv ("EXITBOX_SCREENSHOT_DIR");
  Screenshots shots = { 0 };

  exitbox_app_test_use_isolated_dirs ();
  g_setenv ("PATH", fake_dir, TRUE);

  /* The isolated system data folders hide the installed icon themes. */
  gtk_icon_theme_add_search_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                  "/usr/share/icons");
  g_setenv ("FAKE_PODMAN_BUILD", "fail", TRUE);
  g_unsetenv ("CONTAINER_RUNTIME");

  shots.output_dir = output_dir != NULL ? g_strdup (output_dir)
                                        : g_test_build_filename (G_TEST_BUILT, "screenshot-files", NULL);
  g_assert_cmpint (g_mkdir_with_parents (shots.output_dir, 0755), ==, 0);
  shots.project_dir = g_build_filename (base, "my project", NULL);
  g_assert_cmpint (g_mkdir (shots.project_dir, 0700), ==, 0);
  shots.saved = g_ptr_array_new_with_free_func (g_free);

  app = g_object_new (EXITBOX_TYPE_APPLICATION,
                      "application-id", "io.github.exitbox.ExitBox.Screenshots",
                      "flags", G_APPLICATION_NON_UNIQUE,
                      NULL);
  g_signal_connect_after (app, "activate", G_CALLBACK (activate_after_cb), &shots);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 0, NULL), ==, 0);

  /* Each setup page, the main window, its menu, the shortcuts, the
   * profiles, both preferences pages with and without a message, and a
   * session.
   */
  g_assert_cmpuint (shots.saved->len, ==, G_N_ELEMENTS (setup_pages) + 9);
  for (guint i = 0; i < shots.saved->len; i++)
    {
      GStatBuf buffer;

      g_assert_cmpint (g_stat (g_ptr_array_index (shots.saved, i), &buffer), ==, 0);
      g_assert_cmpint (buffer.st_size, >, 1000);
      g_print ("# %s\n", (const char *) g_ptr_array_index (shots.saved, i));
    }

  exitbox_test_remove_tree (base);
  g_ptr_array_unref (shots.saved);
  g_free (shots.output_dir);
  g_free (shots.project_dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gtk_init ();

  /* Transitions would leave half-drawn pages in the screenshots. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add_func ("/screenshots/all", test_screenshots);

  return g_test_run ();
}
