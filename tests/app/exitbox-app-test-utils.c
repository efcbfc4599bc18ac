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
