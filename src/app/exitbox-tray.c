/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#define G_LOG_DOMAIN "exitbox-tray"

#include <glib/gi18n.h>
#include <libdbusmenu-glib/dbusmenu-glib.h>
#include <unistd.h>

#include "exitbox-status-bar.h"
#include "exitbox-tray.h"
#include "exitbox-window-private.h"
#include "exitbox-window.h"

#define WATCHER_NAME      "org.kde.StatusNotifierWatcher"
#define WATCHER_PATH      "/StatusNotifierWatcher"
#define WATCHER_INTERFACE "org.kde.StatusNotifierWatcher"
#define ITEM_INTERFACE    "org.kde.StatusNotifierItem"

/* projects.json is saved by a temporary file and a rename, and one launch
 * may save it more than once, so the menu waits until it has been quiet.
 */
#define REGISTRY_DELAY_MS 250

/* Keys of the data a quick-start menu item carries. */
#define ITEM_PROJECT_PATH "exitbox-project-path"
#define ITEM_AGENT_ID     "exitbox-agent-id"

/* The org.kde.StatusNotifierItem interface, limited to what this item
 * uses: its icon is given by name, so it has no pixmap, overlay or
 * attention icon properties.
 */
static const char item_introspection_xml[] =
  "<node>"
  "  <interface name='org.kde.StatusNotifierItem'>"
  "    <property name='Category' type='s' access='read'/>"
  "    <property name='Id' type='s' access='read'/>"
  "    <property name='Title' type='s' access='read'/>"
  "    <property name='Status' type='s' access='read'/>"
  "    <property name='WindowId' type='i' access='read'/>"
  "    <property name='IconName' type='s' access='read'/>"
  "    <property name='IconThemePath' type='s' access='read'/>"
  "    <property name='Menu' type='o' access='read'/>"
  "    <property name='ItemIsMenu' type='b' access='read'/>"
  "    <property name='ToolTip' type='(sa(iiay)ss)' access='read'/>"
  "    <method name='Activate'>"
  "      <arg name='x' type='i' direction='in'/>"
  "      <arg name='y' type='i' direction='in'/>"
  "    </method>"
  "    <method name='SecondaryActivate'>"
  "      <arg name='x' type='i' direction='in'/>"
  "      <arg name='y' type='i' direction='in'/>"
  "    </method>"
  "    <method name='ContextMenu'>"
  "      <arg name='x' type='i' direction='in'/>"
  "      <arg name='y' type='i' direction='in'/>"
  "    </method>"
  "    <method name='Scroll'>"
  "      <arg name='delta' type='i' direction='in'/>"
  "      <arg name='orientation' type='s' direction='in'/>"
  "    </method>"
  "    <signal name='NewTitle'/>"
  "    <signal name='NewIcon'/>"
  "    <signal name='NewToolTip'/>"
  "    <signal name='NewStatus'>"
  "      <arg name='status' type='s'/>"
  "    </signal>"
  "  </interface>"
  "</node>";

typedef enum
{
  NAME_PENDING,
  NAME_OWNED,
  NAME_FAILED,
} NameState;

struct _ExitboxTray
{
  GObject             parent_instance;

  ExitboxApplication *app;          /* weak: the application owns the tray */
  GDBusConnection    *connection;

  GDBusNodeInfo      *introspection;
  guint               object_id;

  /* The spec's org.kde.StatusNotifierItem-PID-ID name. When another
   * process owns it, the unique name is registered instead.
   */
  char               *item_name;
  guint               owner_id;
  NameState           name_state;

  guint               watch_id;
  char               *watcher_owner;
  GCancellable       *register_cancellable;
  gboolean            register_pending;
  char               *service;
  gboolean            registered;
  gboolean            host_registered;
  guint               host_registered_signal;
  guint               host_unregistered_signal;

  DbusmenuServer     *menu_server;
  DbusmenuMenuitem   *menu_root;
  DbusmenuMenuitem   *firewall_item;
  char               *firewall_text;
  guint               firewall_source;

  GFileMonitor       *registry_monitor;
  guint               rebuild_source;
};

G_DEFINE_FINAL_TYPE (ExitboxTray, exitbox_tray, G_TYPE_OBJECT)

/* libdbusmenu-glib 16.04 declares no cleanup functions. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DbusmenuMenuitem, g_object_unref)

enum {
  PROP_0,
  PROP_REGISTERED,
  PROP_HOST_REGISTERED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void           exitbox_tray_register    (ExitboxTray *self);
static ExitboxWindow *exitbox_tray_find_window (ExitboxTray *self);

static void
exitbox_tray_emit_item_signal (ExitboxTray *self,
                               const char  *name,
                               GVariant    *parameters)
{
  g_autoptr(GError) error = NULL;

  if (self->object_id == 0)
    {
      if (parameters != NULL)
        g_variant_unref (g_variant_ref_sink (parameters));
      return;
    }

  if (!g_dbus_connection_emit_signal (self->connection, NULL, EXITBOX_TRAY_ITEM_PATH,
                                      ITEM_INTERFACE, name, parameters, &error))
    g_debug ("Failed to emit %s: %s", name, error->message);
}

static void
exitbox_tray_set_registered (ExitboxTray *self,
                             gboolean     registered,
                             gboolean     host_registered)
{
  host_registered = registered && host_registered;

  if (self->registered != registered)
    {
      self->registered = registered;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REGISTERED]);
    }

  if (self->host_registered != host_registered)
    {
      ExitboxWindow *window = exitbox_tray_find_window (self);

      self->host_registered = host_registered;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOST_REGISTERED]);

      /* A window hidden into a tray that is gone could not be shown again. */
      if (!host_registered && window != NULL && !gtk_widget_get_visible (GTK_WIDGET (window)))
        gtk_window_present (GTK_WINDOW (window));
    }
}

/* The main window, or NULL when none is open. */
static ExitboxWindow *
exitbox_tray_find_window (ExitboxTray *self)
{
  if (self->app == NULL)
    return NULL;

  for (GList *windows = gtk_application_get_windows (GTK_APPLICATION (self->app));
       windows != NULL;
       windows = windows->next)
    {
      if (EXITBOX_IS_WINDOW (windows->data))
        return windows->data;
    }

  return NULL;
}

/* Shows the main window as the application's "activate" does, which also
 * opens the setup window on a first run.
 */
static void
exitbox_tray_show_window (ExitboxTray *self)
{
  if (self->app != NULL)
    g_application_activate (G_APPLICATION (self->app));
}

/* org.kde.StatusNotifierItem */

static void
exitbox_tray_item_method_call (GDBusConnection       *connection,
                               const char            *sender,
                               const char            *object_path,
                               const char            *interface_name,
                               const char            *method_name,
                               GVariant              *parameters,
                               GDBusMethodInvocation *invocation,
                               gpointer               user_data)
{
  ExitboxTray *self = user_data;

  /* Both clicks show the window. The host shows the Menu itself on
   * ContextMenu, and scrolling has no meaning here.
   */
  if (g_str_equal (method_name, "Activate") || g_str_equal (method_name, "SecondaryActivate"))
    exitbox_tray_show_window (self);

  g_dbus_method_invocation_return_value (invocation, NULL);
}

static GVariant *
exitbox_tray_dup_tooltip (ExitboxTray *self)
{
  GVariantBuilder pixmaps;

  g_variant_builder_init (&pixmaps, G_VARIANT_TYPE ("a(iiay)"));

  return g_variant_new ("(sa(iiay)ss)",
                        APP_ID "-symbolic",
                        &pixmaps,
                        _("ExitBox"),
                        self->firewall_text);
}

static GVariant *
exitbox_tray_item_get_property (GDBusConnection  *connection,
                                const char       *sender,
                                const char       *object_path,
                                const char       *interface_name,
                                const char       *property_name,
                                GError          **error,
                                gpointer          user_data)
{
  ExitboxTray *self = user_data;

  if (g_str_equal (property_name, "Category"))
    return g_variant_new_string ("ApplicationStatus");
  if (g_str_equal (property_name, "Id"))
    return g_variant_new_string (APP_ID);
  if (g_str_equal (property_name, "Title"))
    return g_variant_new_string (_("ExitBox"));
  if (g_str_equal (property_name, "Status"))
    return g_variant_new_string ("Active");
  if (g_str_equal (property_name, "WindowId"))
    return g_variant_new_int32 (0);
  if (g_str_equal (property_name, "IconName"))
    return g_variant_new_string (APP_ID "-symbolic");
  if (g_str_equal (property_name, "IconThemePath"))
    return g_variant_new_string ("");
  if (g_str_equal (property_name, "Menu"))
    return g_variant_new_object_path (EXITBOX_TRAY_MENU_PATH);
  if (g_str_equal (property_name, "ItemIsMenu"))
    return g_variant_new_boolean (FALSE);
  if (g_str_equal (property_name, "ToolTip"))
    return exitbox_tray_dup_tooltip (self);

  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY,
               "Unknown property %s", property_name);
  return NULL;
}

static const GDBusInterfaceVTable item_vtable = {
  exitbox_tray_item_method_call,
  exitbox_tray_item_get_property,
  NULL,
  { NULL },
};

/* The menu */

static char *
escape_mnemonic (const char *label)
{
  g_auto(GStrv) parts = g_strsplit (label, "_", -1);

  /* dbusmenu labels mark a mnemonic with '_', so a literal one is doubled. */
  return g_strjoinv ("__", parts);
}

typedef struct
{
  ExitboxWindow *window;
  char          *path;
  char          *agent_id;
} QuickStart;

static void
quick_start_free (QuickStart *quick_start)
{
  g_clear_object (&quick_start->window);
  g_free (quick_start->path);
  g_free (quick_start->agent_id);
  g_free (quick_start);
}

static gboolean
exitbox_tray_quick_start_idle_cb (gpointer user_data)
{
  QuickStart *quick_start = user_data;
  ExitboxWindow *window = quick_start->window;
  ExitboxProject *project = exitbox_window_get_project (window);

  /* A folder the core rejected (moved, now unsafe) left the window's
   * current project, and the window has shown why in a toast, so nothing
   * starts in a project the user did not pick.
   */
  if (project == NULL || g_strcmp0 (exitbox_project_get_path (project), quick_start->path) != 0)
    {
      g_message ("Skipped the quick start of %s in %s, because the folder could not be opened",
                 quick_start->agent_id, quick_start->path);
      return G_SOURCE_REMOVE;
    }

  /* The window disables win.launch-agent while something blocks launches
   * (no engine, a broken config.yaml), so the toast names the blocker.
   */
  if (!gtk_widget_activate_action (GTK_WIDGET (window), "win.launch-agent", "s",
                                   quick_start->agent_id))
    {
      g_autofree char *blocker = _exitbox_window_dup_blocker (window);

      if (blocker != NULL)
        _exitbox_window_show_toast (window, blocker);
    }

  return G_SOURCE_REMOVE;
}

static void
exitbox_tray_quick_start_cb (DbusmenuMenuitem *item,
                             guint             timestamp,
                             ExitboxTray      *self)
{
  const char *path = g_object_get_data (G_OBJECT (item), ITEM_PROJECT_PATH);
  const char *agent_id = g_object_get_data (G_OBJECT (item), ITEM_AGENT_ID);
  ExitboxWindow *window;
  QuickStart *quick_start;

  if (self->app == NULL)
    return;

  /* "open-project" creates and presents the window when needed. */
  g_action_group_activate_action (G_ACTION_GROUP (self->app), "open-project",
                                  g_variant_new_string (path));
  window = exitbox_tray_find_window (self);
  if (window == NULL)
    return;

  quick_start = g_new0 (QuickStart, 1);
  quick_start->window = g_object_ref (window);
  quick_start->path = g_strdup (path);
  quick_start->agent_id = g_strdup (agent_id);

  /* A new project enables launches in the window's next refresh, which
   * open-project queued as an idle of the same priority, so this idle
   * runs after it.
   */
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, exitbox_tray_quick_start_idle_cb,
                   quick_start, (GDestroyNotify) quick_start_free);
}

static void
exitbox_tray_show_window_cb (DbusmenuMenuitem *item,
                             guint             timestamp,
                             ExitboxTray      *self)
{
  exitbox_tray_show_window (self);
}

static void
exitbox_tray_quit_cb (DbusmenuMenuitem *item,
                      guint             timestamp,
                      ExitboxTray      *self)
{
  /* app.quit closes each window, which confirms before stopping sessions. */
  if (self->app != NULL)
    g_action_group_activate_action (G_ACTION_GROUP (self->app), "quit", NULL);
}

static DbusmenuMenuitem *
new_menu_item (const char *label)
{
  DbusmenuMenuitem *item = dbusmenu_menuitem_new ();

  dbusmenu_menuitem_property_set (item, DBUSMENU_MENUITEM_PROP_LABEL, label);

  return item;
}

static DbusmenuMenuitem *
new_separator (void)
{
  DbusmenuMenuitem *item = dbusmenu_menuitem_new ();

  dbusmenu_menuitem_property_set (item, DBUSMENU_MENUITEM_PROP_TYPE,
                                  DBUSMENU_CLIENT_TYPES_SEPARATOR);

  return item;
}

/* Adds one submenu per recent project, newest first, each with a quick
 * start for every enabled agent. Returns the number of projects added.
 */
static guint
exitbox_tray_add_projects (ExitboxTray      *self,
                           DbusmenuMenuitem *root)
{
  ExitboxConfig *config = exitbox_application_get_config (self->app);
  g_autofree char *registry_path = exitbox_project_registry_dup_path ();
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  const ExitboxAgentInfo *agents;
  guint n_agents = 0;
  guint n_projects = 0;

  if (config == NULL)
    return 0;

  records = exitbox_project_registry_load (registry_path, &error);
  if (records == NULL)
    {
      g_warning ("The tray menu lists no recent projects: %s", error->message);
      return 0;
    }

  agents = exitbox_agent_get_all (&n_agents);

  for (guint i = 0; i < records->len && n_projects < EXITBOX_TRAY_MAX_PROJECTS; i++)
    {
      ExitboxProjectRecord *record = g_ptr_array_index (records, i);
      g_autofree char *name = g_path_get_basename (record->path);
      g_autofree char *label = escape_mnemonic (name);
      g_autoptr(DbusmenuMenuitem) project_item = NULL;

      /* A folder that was removed or moved cannot be opened. */
      if (!g_file_test (record->path, G_FILE_TEST_IS_DIR))
        continue;

      project_item = new_menu_item (label);
      dbusmenu_menuitem_property_set (project_item, DBUSMENU_MENUITEM_PROP_ACCESSIBLE_DESC,
                                      record->path);
      dbusmenu_menuitem_property_set (project_item, DBUSMENU_MENUITEM_PROP_CHILD_DISPLAY,
                                      DBUSMENU_MENUITEM_CHILD_DISPLAY_SUBMENU);

      for (guint j = 0; j < n_agents; j++)
        {
          g_autoptr(DbusmenuMenuitem) agent_item = NULL;
          g_autofree char *description = NULL;

          if (!agents[j].installable || !exitbox_config_get_agent_enabled (config, agents[j].id))
            continue;

          agent_item = new_menu_item (agents[j].display_name);
          /* TRANSLATORS: the accessible description of a tray menu item;
           * the first %s is an agent, the second a project folder.
           */
          description = g_strdup_printf (_("Start %s in %s"), agents[j].display_name, record->path);
          dbusmenu_menuitem_property_set (agent_item, DBUSMENU_MENUITEM_PROP_ACCESSIBLE_DESC,
                                          description);
          g_object_set_data_full (G_OBJECT (agent_item), ITEM_PROJECT_PATH,
                                  g_strdup (record->path), g_free);
          g_object_set_data (G_OBJECT (agent_item), ITEM_AGENT_ID, (gpointer) agents[j].id);
          g_signal_connect (agent_item, DBUSMENU_MENUITEM_SIGNAL_ITEM_ACTIVATED,
                            G_CALLBACK (exitbox_tray_quick_start_cb), self);
          dbusmenu_menuitem_child_append (project_item, agent_item);
        }

      /* With no enabled agent, a project has nothing to start. */
      if (dbusmenu_menuitem_get_children (project_item) == NULL)
        continue;

      dbusmenu_menuitem_child_append (root, project_item);
      n_projects++;
    }

  return n_projects;
}

void
exitbox_tray_rebuild_menu (ExitboxTray *self)
{
  g_autoptr(DbusmenuMenuitem) root = NULL;
  g_autoptr(DbusmenuMenuitem) show_item = NULL;
  g_autoptr(DbusmenuMenuitem) quit_item = NULL;

  g_return_if_fail (EXITBOX_IS_TRAY (self));

  if (self->app == NULL || self->menu_server == NULL)
    return;

  root = dbusmenu_menuitem_new ();

  if (exitbox_tray_add_projects (self, root) > 0)
    {
      g_autoptr(DbusmenuMenuitem) separator = new_separator ();

      dbusmenu_menuitem_child_append (root, separator);
    }

  show_item = new_menu_item (_("_Show Window"));
  g_signal_connect (show_item, DBUSMENU_MENUITEM_SIGNAL_ITEM_ACTIVATED,
                    G_CALLBACK (exitbox_tray_show_window_cb), self);
  dbusmenu_menuitem_child_append (root, show_item);

  /* The firewall item only informs, so it is disabled. */
  g_clear_object (&self->firewall_item);
  self->firewall_item = new_menu_item (self->firewall_text);
  dbusmenu_menuitem_property_set_bool (self->firewall_item, DBUSMENU_MENUITEM_PROP_ENABLED, FALSE);
  dbusmenu_menuitem_child_append (root, self->firewall_item);

  {
    g_autoptr(DbusmenuMenuitem) separator = new_separator ();

    dbusmenu_menuitem_child_append (root, separator);
  }

  quit_item = new_menu_item (_("_Quit"));
  g_signal_connect (quit_item, DBUSMENU_MENUITEM_SIGNAL_ITEM_ACTIVATED,
                    G_CALLBACK (exitbox_tray_quit_cb), self);
  dbusmenu_menuitem_child_append (root, quit_item);

  /* Replacing the root gives every item a new id and makes the server emit
   * LayoutUpdated, so hosts fetch the new layout.
   */
  dbusmenu_server_set_root (self->menu_server, root);
  g_set_object (&self->menu_root, root);
}

/* The firewall state comes from the main window's status bar, which reads
 * it with the window's engine queries, so the tray costs no engine call.
 */
static void
exitbox_tray_update_firewall (ExitboxTray *self)
{
  ExitboxWindow *window = exitbox_tray_find_window (self);
  const char *text = NULL;

  if (window != NULL && exitbox_window_get_refreshing (window))
    return;

  if (window != NULL)
    text = exitbox_status_bar_get_firewall_text (exitbox_window_get_status_bar (window));
  if (text == NULL)
    text = _("Firewall state unknown");

  if (g_strcmp0 (text, self->firewall_text) == 0)
    return;

  g_free (self->firewall_text);
  self->firewall_text = g_strdup (text);

  if (self->firewall_item != NULL)
    dbusmenu_menuitem_property_set (self->firewall_item, DBUSMENU_MENUITEM_PROP_LABEL,
                                    self->firewall_text);
  exitbox_tray_emit_item_signal (self, "NewToolTip", NULL);
}

static gboolean
exitbox_tray_update_firewall_idle_cb (gpointer user_data)
{
  ExitboxTray *self = user_data;

  self->firewall_source = 0;
  exitbox_tray_update_firewall (self);

  return G_SOURCE_REMOVE;
}

/* The window clears "refreshing" before it hands the result of its last
 * query to the status bar, so the tray reads the status bar afterwards.
 */
static void
exitbox_tray_queue_update_firewall (ExitboxTray *self)
{
  if (self->firewall_source == 0)
    self->firewall_source = g_idle_add (exitbox_tray_update_firewall_idle_cb, self);
}

static void
exitbox_tray_window_added_cb (ExitboxTray *self,
                              GtkWindow   *window)
{
  if (!EXITBOX_IS_WINDOW (window))
    return;

  g_signal_connect_object (window, "notify::refreshing",
                           G_CALLBACK (exitbox_tray_queue_update_firewall),
                           self, G_CONNECT_SWAPPED);
  exitbox_tray_queue_update_firewall (self);
}

static void
exitbox_tray_window_removed_cb (ExitboxTray *self,
                                GtkWindow   *window)
{
  if (EXITBOX_IS_WINDOW (window))
    g_signal_handlers_disconnect_by_data (window, self);

  exitbox_tray_queue_update_firewall (self);
}

static void
exitbox_tray_reloaded_cb (ExitboxTray *self)
{
  exitbox_tray_rebuild_menu (self);
  exitbox_tray_queue_update_firewall (self);
}

static gboolean
exitbox_tray_rebuild_timeout_cb (gpointer user_data)
{
  ExitboxTray *self = user_data;

  self->rebuild_source = 0;
  exitbox_tray_rebuild_menu (self);

  return G_SOURCE_REMOVE;
}

static void
exitbox_tray_registry_changed_cb (GFileMonitor      *monitor,
                                  GFile             *file,
                                  GFile             *other_file,
                                  GFileMonitorEvent  event,
                                  ExitboxTray       *self)
{
  switch (event)
    {
    case G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT:
    case G_FILE_MONITOR_EVENT_CREATED:
    case G_FILE_MONITOR_EVENT_DELETED:
      break;

    default:
      return;
    }

  g_clear_handle_id (&self->rebuild_source, g_source_remove);
  self->rebuild_source = g_timeout_add (REGISTRY_DELAY_MS, exitbox_tray_rebuild_timeout_cb, self);
}

static void
exitbox_tray_watch_registry (ExitboxTray *self)
{
  g_autofree char *path = exitbox_project_registry_dup_path ();
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;

  /* GLib reports the creation of a missing file, and of a file in a missing
   * folder once its inotify backend notices the folder (it checks every 4 s).
   */
  self->registry_monitor = g_file_monitor_file (file, G_FILE_MONITOR_NONE, NULL, &error);
  if (self->registry_monitor == NULL)
    {
      g_warning ("Failed to watch %s, so the tray menu shows new projects only after "
                 "Reload Settings: %s", path, error->message);
      return;
    }

  g_signal_connect (self->registry_monitor, "changed",
                    G_CALLBACK (exitbox_tray_registry_changed_cb), self);
}

/* Registration with org.kde.StatusNotifierWatcher */

static void
exitbox_tray_host_query_cb (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(ExitboxTray) self = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) value = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || !self->registered)
    return;

  if (reply == NULL)
    {
      /* Without the property's value the tray may not be displayed, so the
       * window keeps confirming before it stops sessions.
       */
      g_message ("Failed to read IsStatusNotifierHostRegistered from %s: %s",
                 WATCHER_NAME, error->message);
      exitbox_tray_set_registered (self, TRUE, FALSE);
      return;
    }

  g_variant_get (reply, "(v)", &value);
  exitbox_tray_set_registered (self, TRUE,
                               g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN) &&
                               g_variant_get_boolean (value));
}

static void
exitbox_tray_query_host (ExitboxTray *self)
{
  g_dbus_connection_call (self->connection,
                          self->watcher_owner,
                          WATCHER_PATH,
                          "org.freedesktop.DBus.Properties",
                          "Get",
                          g_variant_new ("(ss)", WATCHER_INTERFACE, "IsStatusNotifierHostRegistered"),
                          G_VARIANT_TYPE ("(v)"),
                          G_DBUS_CALL_FLAGS_NO_AUTO_START,
                          -1,
                          self->register_cancellable,
                          exitbox_tray_host_query_cb,
                          g_object_ref (self));
}

static void
exitbox_tray_host_changed_cb (GDBusConnection *connection,
                              const char      *sender_name,
                              const char      *object_path,
                              const char      *interface_name,
                              const char      *signal_name,
                              GVariant        *parameters,
                              gpointer         user_data)
{
  ExitboxTray *self = user_data;

  if (self->registered)
    exitbox_tray_query_host (self);
}

static void
exitbox_tray_register_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(ExitboxTray) self = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->register_pending = FALSE;

  if (reply == NULL)
    {
      g_warning ("%s rejected the tray icon %s: %s", WATCHER_NAME, self->service, error->message);
      exitbox_tray_set_registered (self, FALSE, FALSE);
      return;
    }

  g_debug ("Registered the tray icon %s with %s", self->service, WATCHER_NAME);
  exitbox_tray_set_registered (self, TRUE, self->host_registered);
  exitbox_tray_query_host (self);
}

static void
exitbox_tray_register (ExitboxTray *self)
{
  const char *service;

  if (self->watcher_owner == NULL || self->name_state == NAME_PENDING ||
      self->register_pending || self->registered)
    return;

  service = self->name_state == NAME_OWNED
            ? self->item_name
            : g_dbus_connection_get_unique_name (self->connection);

  g_free (self->service);
  self->service = g_strdup (service);
  self->register_pending = TRUE;

  g_dbus_connection_call (self->connection,
                          self->watcher_owner,
                          WATCHER_PATH,
                          WATCHER_INTERFACE,
                          "RegisterStatusNotifierItem",
                          g_variant_new ("(s)", service),
                          NULL,
                          G_DBUS_CALL_FLAGS_NO_AUTO_START,
                          -1,
                          self->register_cancellable,
                          exitbox_tray_register_cb,
                          g_object_ref (self));
}

static void
exitbox_tray_watcher_appeared_cb (GDBusConnection *connection,
                                  const char      *name,
                                  const char      *name_owner,
                                  gpointer         user_data)
{
  ExitboxTray *self = user_data;

  g_debug ("%s appeared as %s", name, name_owner);

  g_free (self->watcher_owner);
  self->watcher_owner = g_strdup (name_owner);
  exitbox_tray_register (self);
}

/* A watcher that restarts has no record of earlier items, so the next one
 * that appears gets a new registration.
 */
static void
exitbox_tray_watcher_vanished_cb (GDBusConnection *connection,
                                  const char      *name,
                                  gpointer         user_data)
{
  ExitboxTray *self = user_data;

  if (self->watcher_owner != NULL)
    g_debug ("%s vanished, so the tray icon is not shown", name);

  g_clear_pointer (&self->watcher_owner, g_free);

  g_cancellable_cancel (self->register_cancellable);
  g_clear_object (&self->register_cancellable);
  self->register_cancellable = g_cancellable_new ();
  self->register_pending = FALSE;

  exitbox_tray_set_registered (self, FALSE, FALSE);
}

static void
exitbox_tray_name_acquired_cb (GDBusConnection *connection,
                               const char      *name,
                               gpointer         user_data)
{
  ExitboxTray *self = user_data;

  self->name_state = NAME_OWNED;
  exitbox_tray_register (self);
}

static void
exitbox_tray_name_lost_cb (GDBusConnection *connection,
                           const char      *name,
                           gpointer         user_data)
{
  ExitboxTray *self = user_data;
  NameState previous = self->name_state;

  g_message ("Failed to own %s, so the tray icon is registered by its unique name", name);
  self->name_state = NAME_FAILED;

  /* A registration under the lost name points the watcher at nothing. */
  if (previous == NAME_OWNED && self->registered)
    {
      exitbox_tray_set_registered (self, FALSE, FALSE);
      exitbox_tray_register (self);
      return;
    }

  exitbox_tray_register (self);
}

static void
exitbox_tray_export (ExitboxTray *self)
{
  static guint serial;
  g_autoptr(GError) error = NULL;

  self->introspection = g_dbus_node_info_new_for_xml (item_introspection_xml, &error);
  g_assert_no_error (error);

  self->object_id = g_dbus_connection_register_object (self->connection,
                                                       EXITBOX_TRAY_ITEM_PATH,
                                                       self->introspection->interfaces[0],
                                                       &item_vtable,
                                                       self, NULL,
                                                       &error);
  if (self->object_id == 0)
    {
      g_warning ("Failed to export the tray icon at %s: %s",
                 EXITBOX_TRAY_ITEM_PATH, error->message);
      return;
    }

  /* NOTE: DbusmenuServer exports on the session bus singleton that
   * g_bus_get() returns, so the menu is on the item's connection only
   * when that connection is the singleton, as GApplication's is.
   */
  self->menu_server = dbusmenu_server_new (EXITBOX_TRAY_MENU_PATH);

  self->item_name = g_strdup_printf ("org.kde.StatusNotifierItem-%d-%u", (int) getpid (), ++serial);
  self->owner_id = g_bus_own_name_on_connection (self->connection, self->item_name,
                                                 G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                                                 exitbox_tray_name_acquired_cb,
                                                 exitbox_tray_name_lost_cb,
                                                 self, NULL);

  self->host_registered_signal =
    g_dbus_connection_signal_subscribe (self->connection, WATCHER_NAME, WATCHER_INTERFACE,
                                        "StatusNotifierHostRegistered", WATCHER_PATH, NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE,
                                        exitbox_tray_host_changed_cb, self, NULL);
  self->host_unregistered_signal =
    g_dbus_connection_signal_subscribe (self->connection, WATCHER_NAME, WATCHER_INTERFACE,
                                        "StatusNotifierHostUnregistered", WATCHER_PATH, NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE,
                                        exitbox_tray_host_changed_cb, self, NULL);

  self->watch_id = g_bus_watch_name_on_connection (self->connection, WATCHER_NAME,
                                                   G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                   exitbox_tray_watcher_appeared_cb,
                                                   exitbox_tray_watcher_vanished_cb,
                                                   self, NULL);
}

static void
exitbox_tray_dispose (GObject *object)
{
  ExitboxTray *self = EXITBOX_TRAY (object);

  g_cancellable_cancel (self->register_cancellable);

  g_clear_handle_id (&self->watch_id, g_bus_unwatch_name);
  g_clear_handle_id (&self->owner_id, g_bus_unown_name);
  if (self->connection != NULL)
    {
      if (self->host_registered_signal != 0)
        g_dbus_connection_signal_unsubscribe (self->connection, self->host_registered_signal);
      if (self->host_unregistered_signal != 0)
        g_dbus_connection_signal_unsubscribe (self->connection, self->host_unregistered_signal);
      if (self->object_id != 0)
        g_dbus_connection_unregister_object (self->connection, self->object_id);
    }
  self->host_registered_signal = 0;
  self->host_unregistered_signal = 0;
  self->object_id = 0;

  if (self->registry_monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->registry_monitor, self);
      g_file_monitor_cancel (self->registry_monitor);
      g_clear_object (&self->registry_monitor);
    }
  g_clear_handle_id (&self->rebuild_source, g_source_remove);
  g_clear_handle_id (&self->firewall_source, g_source_remove);

  if (self->app != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->app, self);
      for (GList *windows = gtk_application_get_windows (GTK_APPLICATION (self->app));
           windows != NULL;
           windows = windows->next)
        g_signal_handlers_disconnect_by_data (windows->data, self);
      g_clear_weak_pointer (&self->app);
    }

  g_clear_object (&self->firewall_item);
  g_clear_object (&self->menu_root);
  g_clear_object (&self->menu_server);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (exitbox_tray_parent_class)->dispose (object);
}

static void
exitbox_tray_finalize (GObject *object)
{
  ExitboxTray *self = EXITBOX_TRAY (object);

  g_clear_object (&self->register_cancellable);
  g_clear_pointer (&self->introspection, g_dbus_node_info_unref);
  g_clear_pointer (&self->item_name, g_free);
  g_clear_pointer (&self->watcher_owner, g_free);
  g_clear_pointer (&self->service, g_free);
  g_clear_pointer (&self->firewall_text, g_free);

  G_OBJECT_CLASS (exitbox_tray_parent_class)->finalize (object);
}

static void
exitbox_tray_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  ExitboxTray *self = EXITBOX_TRAY (object);

  switch (prop_id)
    {
    case PROP_REGISTERED:
      g_value_set_boolean (value, self->registered);
      break;

    case PROP_HOST_REGISTERED:
      g_value_set_boolean (value, self->host_registered);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
exitbox_tray_class_init (ExitboxTrayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = exitbox_tray_dispose;
  object_class->finalize = exitbox_tray_finalize;
  object_class->get_property = exitbox_tray_get_property;

  properties[PROP_REGISTERED] =
    g_param_spec_boolean ("registered", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HOST_REGISTERED] =
    g_param_spec_boolean ("host-registered", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
exitbox_tray_init (ExitboxTray *self)
{
  self->register_cancellable = g_cancellable_new ();
  self->firewall_text = g_strdup (_("Firewall state unknown"));
}

ExitboxTray *
exitbox_tray_new (ExitboxApplication *application,
                  GDBusConnection    *connection)
{
  ExitboxTray *self;

  g_return_val_if_fail (EXITBOX_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), NULL);

  self = g_object_new (EXITBOX_TYPE_TRAY, NULL);
  g_set_weak_pointer (&self->app, application);
  self->connection = g_object_ref (connection);

  g_signal_connect_object (application, "reloaded",
                           G_CALLBACK (exitbox_tray_reloaded_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (application, "window-added",
                           G_CALLBACK (exitbox_tray_window_added_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (application, "window-removed",
                           G_CALLBACK (exitbox_tray_window_removed_cb),
                           self, G_CONNECT_SWAPPED);
  for (GList *windows = gtk_application_get_windows (GTK_APPLICATION (application));
       windows != NULL;
       windows = windows->next)
    exitbox_tray_window_added_cb (self, windows->data);

  exitbox_tray_export (self);
  if (self->menu_server != NULL)
    exitbox_tray_rebuild_menu (self);
  exitbox_tray_watch_registry (self);

  return self;
}

gboolean
exitbox_tray_get_registered (ExitboxTray *self)
{
  g_return_val_if_fail (EXITBOX_IS_TRAY (self), FALSE);

  return self->registered;
}

gboolean
exitbox_tray_get_host_registered (ExitboxTray *self)
{
  g_return_val_if_fail (EXITBOX_IS_TRAY (self), FALSE);

  return self->host_registered;
}

const char *
exitbox_tray_get_service (ExitboxTray *self)
{
  g_return_val_if_fail (EXITBOX_IS_TRAY (self), NULL);

  return self->service;
}

const char *
exitbox_tray_get_firewall_text (ExitboxTray *self)
{
  g_return_val_if_fail (EXITBOX_IS_TRAY (self), NULL);

  return self->firewall_text;
}
