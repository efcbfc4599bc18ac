/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include "exitbox-app-test-utils.h"

#define FRAMES_BEFORE_SCREENSHOT 3

static gboolean
frame_drawn_cb (GtkWidget     *widget,
                GdkFrameClock *frame_clock,
                gpointer       user_data)
{
  guint *n_frames = user_data;

  (*n_frames)++;
  return *n_frames < FRAMES_BEFORE_SCREENSHOT ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

void
exitbox_app_test_save_screenshot (GtkWidget  *window,
                                  const char *path)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  GskRenderNode *node;
  guint n_frames = 0;
  int width;
  int height;

  gtk_widget_add_tick_callback (window, frame_drawn_cb, &n_frames, NULL);
  while (n_frames < FRAMES_BEFORE_SCREENSHOT)
    g_main_context_iteration (NULL, TRUE);

  width = gtk_widget_get_width (window);
  height = gtk_widget_get_height (window);
  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);

  paintable = gtk_widget_paintable_new (window);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);

  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)),
                                         node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  gsk_render_node_unref (node);

  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Saved a screenshot to %s", path);
}

void
exitbox_app_test_iterate_until (gboolean (*done) (gpointer),
                                gpointer   data)
{
  gint64 deadline = g_get_monotonic_time () +
                    EXITBOX_APP_TEST_WAIT_LIMIT_SECONDS * G_USEC_PER_SEC;

  while (!done (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Gave up waiting after %d seconds", EXITBOX_APP_TEST_WAIT_LIMIT_SECONDS);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

void
exitbox_app_test_use_isolated_dirs (void)
{
  /* G_TEST_OPTION_ISOLATE_DIRS moves GLib's idea of the XDG folders into a
   * per-test folder but leaves the variables at /dev/null.
   */
  g_setenv ("HOME", g_get_home_dir (), TRUE);
  g_setenv ("XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  g_setenv ("XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);
  g_setenv ("XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  g_setenv ("XDG_RUNTIME_DIR", g_get_user_runtime_dir (), TRUE);
  g_setenv ("XDG_DATA_DIRS", "/usr/local/share:/usr/share", TRUE);
}

ExitboxWindow *
exitbox_app_test_find_main_window (GtkApplication *application)
{
  for (GList *windows = gtk_application_get_windows (application);
       windows != NULL;
       windows = windows->next)
    {
      if (EXITBOX_IS_WINDOW (windows->data))
        return windows->data;
    }

  return NULL;
}

GtkWidget *
exitbox_app_test_find_button (GtkWidget  *root,
                              const char *label)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (child) &&
          g_strcmp0 (gtk_button_get_label (GTK_BUTTON (child)), label) == 0)
        return child;

      found = exitbox_app_test_find_button (child, label);
      if (found != NULL)
        return found;
    }

  return NULL;
}
