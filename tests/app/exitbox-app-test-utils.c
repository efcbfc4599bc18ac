/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include "exitbox-app-test-utils.h"

#include <adwaita.h>
#include <vte/vte.h>

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

/* Whether @widget or a widget inside it shows text that names it. */
static gboolean
shows_text (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget))
    {
      const char *text = gtk_label_get_text (GTK_LABEL (widget));

      return text != NULL && text[0] != '\0';
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (shows_text (child))
        return TRUE;
    }

  return FALSE;
}

static gboolean
is_named (GtkWidget *widget)
{
  const char *tooltip = gtk_widget_get_tooltip_text (widget);

  if (tooltip != NULL && tooltip[0] != '\0')
    return TRUE;

  if (gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL) ||
      gtk_test_accessible_has_relation (GTK_ACCESSIBLE (widget),
                                        GTK_ACCESSIBLE_RELATION_LABELLED_BY))
    return TRUE;

  return (GTK_IS_BUTTON (widget) || GTK_IS_CHECK_BUTTON (widget)) && shows_text (widget);
}

static gboolean
is_control (GtkWidget *widget)
{
  return GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget) || GTK_IS_CHECK_BUTTON (widget) ||
         GTK_IS_SWITCH (widget) || GTK_IS_DROP_DOWN (widget) || GTK_IS_SPIN_BUTTON (widget) ||
         GTK_IS_ENTRY (widget) || GTK_IS_SEARCH_ENTRY (widget) || GTK_IS_SCALE (widget);
}

/* Library widgets that name their own parts, so the walk does not enter
 * them: a menu button's inner toggle button takes the menu button's name,
 * and the window controls, tab bar and entry rows label their buttons.
 */
static gboolean
names_own_parts (GtkWidget *widget)
{
  return GTK_IS_MENU_BUTTON (widget) || GTK_IS_DROP_DOWN (widget) ||
         GTK_IS_SPIN_BUTTON (widget) || GTK_IS_WINDOW_CONTROLS (widget) ||
         ADW_IS_TAB_BAR (widget) || ADW_IS_ENTRY_ROW (widget) || ADW_IS_SPLIT_BUTTON (widget) ||
         GTK_IS_POPOVER_MENU (widget) || VTE_IS_TERMINAL (widget);
}

static void
collect_unnamed (GtkWidget *widget,
                 GPtrArray *unnamed)
{
  if (!gtk_widget_get_mapped (widget))
    return;

  if (is_control (widget) && !is_named (widget))
    {
      const char *css_name = gtk_widget_get_css_name (widget);
      const char *icon = GTK_IS_BUTTON (widget) ? gtk_button_get_icon_name (GTK_BUTTON (widget))
                                                : NULL;

      g_ptr_array_add (unnamed, g_strdup_printf ("%s (%s%s%s)", G_OBJECT_TYPE_NAME (widget),
                                                 css_name, icon != NULL ? ", icon " : "",
                                                 icon != NULL ? icon : ""));
    }

  if (names_own_parts (widget))
    return;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_unnamed (child, unnamed);
}

void
exitbox_app_test_assert_controls_named (GtkWidget  *root,
                                        const char *where)
{
  g_autoptr(GPtrArray) unnamed = g_ptr_array_new_with_free_func (g_free);

  collect_unnamed (root, unnamed);

  for (guint i = 0; i < unnamed->len; i++)
    g_test_message ("%s: a control has no label, tooltip or accessible name: %s", where,
                    (const char *) g_ptr_array_index (unnamed, i));

  g_assert_cmpuint (unnamed->len, ==, 0);
}

GtkWidget *
exitbox_app_test_find_widget (GtkWidget *root,
                              GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = exitbox_app_test_find_widget (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}
