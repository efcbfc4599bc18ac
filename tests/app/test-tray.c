/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 *
 * The tray icon on a private bus (GTestDBus) with a fake
 * org.kde.StatusNotifierWatcher in this process, against temporary XDG
 * folders and a fake podman (tests/app/fake-engine/podman). The test talks
 * to the item and its menu over D-Bus as a tray host does.
 */

#include <string.h>

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "exitbox-application.h"
#include "exitbox-session-tab.h"
#include "exitbox-test-utils.h"
#include "exitbox-tray.h"
#include "exitbox-window.h"

#define WAIT_LIMIT_SECONDS 60

#define WATCHER_NAME      "org.kde.StatusNotifierWatcher"
#define WATCHER_PATH      "/StatusNotifierWatcher"
#define WATCHER_INTERFACE "org.kde.StatusNotifierWatcher"

/* Claude Code enabled (the only installable agent), Codex disabled. */
static const char config_yaml[] =
  "version: 1\n"
  "agents:\n"
  "  claude:\n"
  "    enabled: true\n"
  "  codex:\n"
  "    enabled: false\n";

static const char config_no_agents_yaml[] =
  "version: 1\n"
  "agents:\n"
  "  claude:\n"
  "    enabled: false\n";

static const char allowlist_yaml[] =
  "version: 1\n"
  "ai_providers:\n"
  "  - api.anthropic.com\n";

static const char watcher_xml[] =
  "<node>"
  "  <interface name='org.kde.StatusNotifierWatcher'>"
  "    <method name='RegisterStatusNotifierItem'>"
  "      <arg name='service' type='s' direction='in'/>"
  "    </method>"
  "    <method name='RegisterStatusNotifierHost'>"
  "      <arg name='service' type='s' direction='in'/>"
  "    </method>"
  "    <property name='RegisteredStatusNotifierItems' type='as' access='read'/>"
  "    <property name='IsStatusNotifierHostRegistered' type='b' access='read'/>"
  "    <property name='ProtocolVersion' type='i' access='read'/>"
  "    <signal name='StatusNotifierItemRegistered'>"
  "      <arg type='s'/>"
  "    </signal>"
  "    <signal name='StatusNotifierHostRegistered'/>"
  "    <signal name='StatusNotifierHostUnregistered'/>"
  "  </interface>"
  "</node>";

static guint app_serial;

typedef struct _Fixture Fixture;
typedef void (*TestBody) (Fixture *fixture);

/* The fake watcher: owns org.kde.StatusNotifierWatcher on its own
 * connection and records each RegisterStatusNotifierItem call.
 */
typedef struct
{
  GDBusConnection *connection;
  GDBusNodeInfo   *introspection;
  guint            object_id;
  guint            owner_id;
  gboolean         owned;
  GPtrArray       *services;  /* the argument of each registration */
  GPtrArray       *senders;   /* the unique name that sent it */
} FakeWatcher;

struct _Fixture
{
  GTestDBus          *bus;
  FakeWatcher         watcher;
  ExitboxApplication *app;
  ExitboxWindow      *window;
  char               *base_dir;
  char               *project_dir;
  char               *saved_path;
  TestBody            body;
};

/* Bounded wait: fails the test instead of hanging when @done never holds. */
static void
iterate_until (gboolean (*done) (gpointer),
               gpointer   data)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_LIMIT_SECONDS * G_USEC_PER_SEC;

  while (!done (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Gave up waiting after %d seconds", WAIT_LIMIT_SECONDS);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static void
watcher_method_call (GDBusConnection       *connection,
                     const char            *sender,
                     const char            *object_path,
                     const char            *interface_name,
                     const char            *method_name,
                     GVariant              *parameters,
                     GDBusMethodInvocation *invocation,
                     gpointer               user_data)
{
  FakeWatcher *watcher = user_data;
  const char *service = NULL;

  if (g_str_equal (method_name, "RegisterStatusNotifierItem"))
    {
      g_variant_get (parameters, "(&s)", &service);
      g_ptr_array_add (watcher->services, g_strdup (service));
      g_ptr_array_add (watcher->senders, g_strdup (sender));
    }

  g_dbus_method_invocation_return_value (invocation, NULL);
}

static GVariant *
watcher_get_property (GDBusConnection  *connection,
                      const char       *sender,
                      const char       *object_path,
                      const char       *interface_name,
                      const char       *property_name,
                      GError          **error,
                      gpointer          user_data)
{
  FakeWatcher *watcher = user_data;

  if (g_str_equal (property_name, "IsStatusNotifierHostRegistered"))
    return g_variant_new_boolean (TRUE);
  if (g_str_equal (property_name, "ProtocolVersion"))
    return g_variant_new_int32 (0);

  return g_variant_new_strv ((const char * const *) watcher->services->pdata,
                             watcher->services->len);
}

static const GDBusInterfaceVTable watcher_vtable = {
  watcher_method_call,
  watcher_get_property,
  NULL,
  { NULL },
};

static void
watcher_name_acquired_cb (GDBusConnection *connection,
                          const char      *name,
                          gpointer         user_data)
{
  ((FakeWatcher *) user_data)->owned = TRUE;
}

static void
watcher_name_lost_cb (GDBusConnection *connection,
                      const char      *name,
                      gpointer         user_data)
{
  ((FakeWatcher *) user_data)->owned = FALSE;
}

static gboolean
watcher_is_owned (gpointer data)
{
  return ((FakeWatcher *) data)->owned;
}

static void
watcher_own_name (FakeWatcher *watcher)
{
  g_assert_cmpuint (watcher->owner_id, ==, 0);

  watcher->owner_id = g_bus_own_name_on_connection (watcher->connection, WATCHER_NAME,
                                                    G_BUS_NAME_OWNER_FLAGS_NONE,
                                                    watcher_name_acquired_cb,
                                                    watcher_name_lost_cb,
                                                    watcher, NULL);
  iterate_until (watcher_is_owned, watcher);
}

static void
watcher_unown_name (FakeWatcher *watcher)
{
  g_clear_handle_id (&watcher->owner_id, g_bus_unown_name);
  watcher->owned = FALSE;
}

static void
watcher_start (FakeWatcher *watcher,
               GTestDBus   *bus)
{
  g_autoptr(GError) error = NULL;

  watcher->services = g_ptr_array_new_null_terminated (4, g_free, TRUE);
  watcher->senders = g_ptr_array_new_with_free_func (g_free);

  watcher->connection =
    g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (bus),
                                            G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                            G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                            NULL, NULL, &error);
  g_assert_no_error (error);

  watcher->introspection = g_dbus_node_info_new_for_xml (watcher_xml, &error);
  g_assert_no_error (error);

  watcher->object_id = g_dbus_connection_register_object (watcher->connection, WATCHER_PATH,
                                                          watcher->introspection->interfaces[0],
                                                          &watcher_vtable, watcher, NULL,
                                                          &error);
  g_assert_no_error (error);

  watcher_own_name (watcher);
}

static void
watcher_stop (FakeWatcher *watcher)
{
  if (watcher->connection == NULL)
    return;

  watcher_unown_name (watcher);
  g_dbus_connection_unregister_object (watcher->connection, watcher->object_id);
  g_dbus_connection_close_sync (watcher->connection, NULL, NULL);
  g_clear_object (&watcher->connection);
  g_clear_pointer (&watcher->introspection, g_dbus_node_info_unref);
  g_clear_pointer (&watcher->services, g_ptr_array_unref);
  g_clear_pointer (&watcher->senders, g_ptr_array_unref);
}

static char *
dup_config_file (const char *name)
{
  return g_build_filename (g_get_user_config_dir (), "exitbox", name, NULL);
}

static void
write_config_file (const char *name,
                   const char *contents)
{
  g_autofree char *path = dup_config_file (name);

  exitbox_test_write_file (path, contents);
}

/* Records that Claude Code started in @path @minutes_ago minutes ago. */
static void
record_project (const char *path,
                int         minutes_ago)
{
  g_autofree char *registry_path = exitbox_project_registry_dup_path ();
  g_autoptr(ExitboxProject) project = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) when = g_date_time_add_minutes (now, -minutes_ago);
  g_autoptr(GError) error = NULL;

  project = exitbox_project_new (path, &error);
  g_assert_no_error (error);

  exitbox_project_registry_record_use (registry_path, project, "claude", when, &error);
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autofree char *fake_dir = g_test_build_filename (G_TEST_DIST, "fake-engine", NULL);

  fixture->saved_path = g_strdup (g_getenv ("PATH"));
  g_unsetenv ("CONTAINER_RUNTIME");
  g_unsetenv ("EXITBOX_DATA_DIR");

  /* G_TEST_OPTION_ISOLATE_DIRS moves GLib's idea of the XDG folders into a
   * per-test folder but leaves the variables at /dev/null. The core reads the
   * variables, so point them at the same folders.
   */
  g_setenv ("HOME", g_get_home_dir (), TRUE);
  g_setenv ("XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  g_setenv ("XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);
  g_setenv ("XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  g_setenv ("XDG_RUNTIME_DIR", g_get_user_runtime_dir (), TRUE);
  g_setenv ("XDG_DATA_DIRS", "/usr/local/share:/usr/share", TRUE);

  fixture->base_dir = exitbox_test_make_tmpdir ("exitbox-test-tray-XXXXXX");
  fixture->project_dir = g_build_filename (fixture->base_dir, "project with spaces", NULL);
  g_assert_cmpint (g_mkdir (fixture->project_dir, 0700), ==, 0);

  write_config_file ("config.yaml", config_yaml);
  write_config_file ("allowlist.yaml", allowlist_yaml);

  /* The application's session bus connection, and so the tray, use this
   * bus, because it is up before the application registers.
   */
  fixture->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (fixture->bus);

  /* After the bus, because GTestDBus finds dbus-daemon on PATH. */
  g_setenv ("PATH", fake_dir, TRUE);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  if (fixture->window != NULL)
    g_assert_finalize_object (fixture->window);

  if (fixture->app != NULL)
    g_assert_finalize_object (fixture->app);

  watcher_stop (&fixture->watcher);
  g_test_dbus_down (fixture->bus);
  g_clear_object (&fixture->bus);

  g_setenv ("PATH", fixture->saved_path, TRUE);
  g_unsetenv ("FAKE_PODMAN_BUILD");
  exitbox_test_remove_tree (fixture->base_dir);
  g_free (fixture->base_dir);
  g_free (fixture->project_dir);
  g_free (fixture->saved_path);
}

static ExitboxWindow *
find_main_window (GtkApplication *application)
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

static gboolean
window_is_idle (gpointer data)
{
  return !exitbox_window_get_refreshing (EXITBOX_WINDOW (data));
}

/* Runs @body inside g_application_run(), once the window is shown and its
 * first engine queries finished, then closes the window and quits.
 */
static void
activate_after_cb (GApplication *application,
                   Fixture      *fixture)
{
  TestBody body = fixture->body;

  /* "activate" runs again when the tray shows the window. */
  if (body == NULL)
    return;
  fixture->body = NULL;

  fixture->window = find_main_window (GTK_APPLICATION (application));
  g_assert_nonnull (fixture->window);
  g_object_ref (fixture->window);

  iterate_until (window_is_idle, fixture->window);
  body (fixture);

  gtk_window_destroy (GTK_WINDOW (fixture->window));
  iterate_until (window_is_idle, fixture->window);
  g_application_quit (application);
}

static void
run_app (Fixture  *fixture,
         TestBody  body)
{
  g_autofree char *app_id = NULL;
  int status;

  app_id = g_strdup_printf ("io.github.exitbox.ExitBox.TrayTest%u", ++app_serial);
  fixture->app = g_object_new (EXITBOX_TYPE_APPLICATION,
                               "application-id", app_id,
                               "flags", G_APPLICATION_NON_UNIQUE,
                               NULL);
  fixture->body = body;
  g_signal_connect_after (fixture->app, "activate", G_CALLBACK (activate_after_cb), fixture);

  status = g_application_run (G_APPLICATION (fixture->app), 0, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (fixture->window);
}

static ExitboxTray *
get_tray (Fixture *fixture)
{
  ExitboxTray *tray = exitbox_application_get_tray (fixture->app);

  g_assert_nonnull (tray);

  return tray;
}

static gboolean
tray_is_registered (gpointer data)
{
  ExitboxTray *tray = data;

  return exitbox_tray_get_registered (tray) && exitbox_tray_get_host_registered (tray);
}

static gboolean
tray_is_unregistered (gpointer data)
{
  return !exitbox_tray_get_registered (EXITBOX_TRAY (data));
}

/* Calls @method on @object_path of the tray's bus name from the watcher's
 * connection, as a tray host does, and returns the reply.
 */
static GVariant *
call_tray (Fixture            *fixture,
           const char         *object_path,
           const char         *interface_name,
           const char         *method,
           GVariant           *parameters,
           const GVariantType *reply_type)
{
  const char *service = exitbox_tray_get_service (get_tray (fixture));
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GVariant *reply;

  g_assert_nonnull (service);

  /* The reply needs the application's side of the main loop, so the call
   * is asynchronous.
   */
  g_dbus_connection_call (fixture->watcher.connection, service, object_path,
                          interface_name, method, parameters, reply_type,
                          G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL,
                          exitbox_test_store_result, &result);
  exitbox_test_wait_for_result (&result);

  reply = g_dbus_connection_call_finish (fixture->watcher.connection, result, &error);
  g_assert_no_error (error);

  return reply;
}

static GVariant *
get_item_property (Fixture    *fixture,
                   const char *name)
{
  g_autoptr(GVariant) reply = NULL;
  GVariant *value = NULL;

  reply = call_tray (fixture, EXITBOX_TRAY_ITEM_PATH, "org.freedesktop.DBus.Properties", "Get",
                     g_variant_new ("(ss)", "org.kde.StatusNotifierItem", name),
                     G_VARIANT_TYPE ("(v)"));
  g_variant_get (reply, "(v)", &value);

  return value;
}

/* One menu entry of com.canonical.dbusmenu.GetLayout. */
typedef struct _MenuEntry MenuEntry;
struct _MenuEntry
{
  int        id;
  char      *label;
  char      *type;
  gboolean   enabled;
  GPtrArray *children;
};

static void
menu_entry_free (MenuEntry *entry)
{
  g_free (entry->label);
  g_free (entry->type);
  g_ptr_array_unref (entry->children);
  g_free (entry);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MenuEntry, menu_entry_free)

static MenuEntry *
menu_entry_parse (GVariant *layout)
{
  MenuEntry *entry = g_new0 (MenuEntry, 1);
  g_autoptr(GVariant) props = NULL;
  g_autoptr(GVariant) children = NULL;
  GVariantIter iter;
  GVariant *child;

  g_variant_get (layout, "(i@a{sv}@av)", &entry->id, &props, &children);
  g_variant_lookup (props, "label", "s", &entry->label);
  g_variant_lookup (props, "type", "s", &entry->type);
  /* dbusmenu leaves out properties at their default, and "enabled"
   * defaults to true.
   */
  if (!g_variant_lookup (props, "enabled", "b", &entry->enabled))
    entry->enabled = TRUE;

  entry->children = g_ptr_array_new_with_free_func ((GDestroyNotify) menu_entry_free);
  g_variant_iter_init (&iter, children);
  while ((child = g_variant_iter_next_value (&iter)) != NULL)
    {
      g_autoptr(GVariant) inner = g_variant_get_variant (child);

      g_ptr_array_add (entry->children, menu_entry_parse (inner));
      g_variant_unref (child);
    }

  return entry;
}

static MenuEntry *
get_menu_layout (Fixture *fixture)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) layout = NULL;
  g_autoptr(GVariant) menu_path = NULL;
  const char *empty[] = { NULL };
  guint revision;

  /* The host finds the menu through the item's Menu property. */
  menu_path = get_item_property (fixture, "Menu");
  g_assert_cmpstr (g_variant_get_string (menu_path, NULL), ==, EXITBOX_TRAY_MENU_PATH);

  reply = call_tray (fixture, g_variant_get_string (menu_path, NULL),
                     "com.canonical.dbusmenu", "GetLayout",
                     g_variant_new ("(ii^as)", 0, -1, empty),
                     G_VARIANT_TYPE ("(u(ia{sv}av))"));
  g_variant_get (reply, "(u@(ia{sv}av))", &revision, &layout);

  return menu_entry_parse (layout);
}

static MenuEntry *
find_entry (MenuEntry  *parent,
            const char *label)
{
  for (guint i = 0; i < parent->children->len; i++)
    {
      MenuEntry *child = g_ptr_array_index (parent->children, i);

      if (g_strcmp0 (child->label, label) == 0)
        return child;
    }

  return NULL;
}

/* The entries before the first separator: the recent projects. */
static guint
count_project_entries (MenuEntry *root)
{
  guint n = 0;

  while (n < root->children->len &&
         g_strcmp0 (((MenuEntry *) g_ptr_array_index (root->children, n))->type,
                    "separator") != 0 &&
         ((MenuEntry *) g_ptr_array_index (root->children, n))->children->len > 0)
    n++;

  return n;
}

static gboolean
tray_knows_firewall (gpointer data)
{
  return g_strcmp0 (exitbox_tray_get_firewall_text (EXITBOX_TRAY (data)), "Firewall stopped") == 0;
}

/* Waits until a watcher accepted the item and the tray shows the firewall
 * state that the window read from the fake podman.
 */
static void
wait_registered (Fixture *fixture)
{
  iterate_until (tray_is_registered, get_tray (fixture));
  iterate_until (tray_knows_firewall, get_tray (fixture));
}

static void
check_tray_registers (Fixture *fixture)
{
  ExitboxTray *tray = get_tray (fixture);
  GDBusConnection *app_connection = g_application_get_dbus_connection (G_APPLICATION (fixture->app));
  g_autoptr(GVariant) owner = NULL;
  g_autoptr(GVariant) category = NULL;
  g_autoptr(GVariant) item_is_menu = NULL;
  g_autoptr(GVariant) icon_name = NULL;
  g_autoptr(GVariant) tooltip = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const char *owner_name = NULL;
  const char *tooltip_title = NULL;
  const char *tooltip_text = NULL;

  wait_registered (fixture);

  g_assert_cmpuint (fixture->watcher.services->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->watcher.services, 0), ==,
                   exitbox_tray_get_service (tray));
  g_assert_cmpstr (g_ptr_array_index (fixture->watcher.senders, 0), ==,
                   g_dbus_connection_get_unique_name (app_connection));
  g_assert_true (g_str_has_prefix (exitbox_tray_get_service (tray), "org.kde.StatusNotifierItem-"));

  /* The registered name belongs to the application's connection. */
  g_dbus_connection_call (fixture->watcher.connection, "org.freedesktop.DBus",
                          "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetNameOwner",
                          g_variant_new ("(s)", exitbox_tray_get_service (tray)),
                          G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                          exitbox_test_store_result, &result);
  exitbox_test_wait_for_result (&result);
  owner = g_dbus_connection_call_finish (fixture->watcher.connection, result, &error);
  g_assert_no_error (error);
  g_variant_get (owner, "(&s)", &owner_name);
  g_assert_cmpstr (owner_name, ==, g_dbus_connection_get_unique_name (app_connection));

  category = get_item_property (fixture, "Category");
  g_assert_cmpstr (g_variant_get_string (category, NULL), ==, "ApplicationStatus");
  item_is_menu = get_item_property (fixture, "ItemIsMenu");
  g_assert_false (g_variant_get_boolean (item_is_menu));
  icon_name = get_item_property (fixture, "IconName");
  g_assert_cmpstr (g_variant_get_string (icon_name, NULL), ==, "io.github.exitbox.ExitBox-symbolic");

  /* The tooltip carries the firewall state that the status bar shows. */
  tooltip = get_item_property (fixture, "ToolTip");
  g_variant_get (tooltip, "(&sa(iiay)&s&s)", NULL, NULL, &tooltip_title, &tooltip_text);
  g_assert_cmpstr (tooltip_title, ==, "ExitBox");
  g_assert_cmpstr (tooltip_text, ==, "Firewall stopped");
}

static void
test_tray_registers (Fixture       *fixture,
                     gconstpointer  user_data)
{
  watcher_start (&fixture->watcher, fixture->bus);
  run_app (fixture, check_tray_registers);
}

static void
check_tray_reregisters (Fixture *fixture)
{
  ExitboxTray *tray = get_tray (fixture);

  wait_registered (fixture);
  g_assert_cmpuint (fixture->watcher.services->len, ==, 1);

  /* The watcher goes away, as when the panel restarts. */
  watcher_unown_name (&fixture->watcher);
  iterate_until (tray_is_unregistered, tray);
  g_assert_false (exitbox_tray_get_host_registered (tray));
  g_assert_false (exitbox_application_get_tray_shown (fixture->app));

  watcher_own_name (&fixture->watcher);
  wait_registered (fixture);
  g_assert_cmpuint (fixture->watcher.services->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (fixture->watcher.services, 1), ==,
                   g_ptr_array_index (fixture->watcher.services, 0));
  g_assert_true (exitbox_application_get_tray_shown (fixture->app));
}

static void
test_tray_reregisters (Fixture       *fixture,
                       gconstpointer  user_data)
{
  watcher_start (&fixture->watcher, fixture->bus);
  run_app (fixture, check_tray_reregisters);
}

static void
check_tray_menu_quick_starts (Fixture *fixture)
{
  g_autoptr(MenuEntry) root = NULL;
  MenuEntry *project;
  MenuEntry *quick_start;
  MenuEntry *firewall;

  wait_registered (fixture);
  root = get_menu_layout (fixture);

  /* Six projects exist and one was removed: the five newest are listed. */
  g_assert_cmpuint (count_project_entries (root), ==, EXITBOX_TRAY_MAX_PROJECTS);

  project = g_ptr_array_index (root->children, 0);
  g_assert_cmpstr (project->label, ==, "project with spaces");
  g_assert_cmpuint (project->children->len, ==, 1);
  quick_start = g_ptr_array_index (project->children, 0);
  g_assert_cmpstr (quick_start->label, ==, "Claude Code");
  g_assert_true (quick_start->enabled);

  /* A literal '_' is doubled, because a single one marks a mnemonic. */
  g_assert_cmpstr (((MenuEntry *) g_ptr_array_index (root->children, 1))->label, ==, "older__1");
  g_assert_null (find_entry (root, "removed"));
  g_assert_null (find_entry (root, "older__5"));

  g_assert_nonnull (find_entry (root, "_Show Window"));
  g_assert_nonnull (find_entry (root, "_Quit"));
  firewall = find_entry (root, "Firewall stopped");
  g_assert_nonnull (firewall);
  g_assert_false (firewall->enabled);
}

static void
test_tray_menu_quick_starts (Fixture       *fixture,
                             gconstpointer  user_data)
{
  g_autofree char *removed = g_build_filename (fixture->base_dir, "removed", NULL);

  /* Newest first: "project with spaces", then older_1 … older_5. */
  for (int i = 1; i <= 5; i++)
    {
      g_autofree char *name = g_strdup_printf ("older_%d", i);
      g_autofree char *path = g_build_filename (fixture->base_dir, name, NULL);

      g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
      record_project (path, 10 * i + 5);
    }
  g_assert_cmpint (g_mkdir (removed, 0700), ==, 0);
  record_project (removed, 10);
  g_assert_cmpint (g_rmdir (removed), ==, 0);
  record_project (fixture->project_dir, 1);

  watcher_start (&fixture->watcher, fixture->bus);
  run_app (fixture, check_tray_menu_quick_starts);
}

static void
check_tray_menu_follows_config (Fixture *fixture)
{
  g_autoptr(MenuEntry) before = NULL;
  g_autoptr(MenuEntry) after = NULL;

  wait_registered (fixture);
  before = get_menu_layout (fixture);
  g_assert_cmpuint (count_project_entries (before), ==, 1);

  /* With no enabled agent a project has nothing to start. */
  write_config_file ("config.yaml", config_no_agents_yaml);
  exitbox_application_reload (fixture->app);

  after = get_menu_layout (fixture);
  g_assert_cmpuint (count_project_entries (after), ==, 0);
  g_assert_nonnull (find_entry (after, "_Show Window"));
}

static void
test_tray_menu_follows_config (Fixture       *fixture,
                               gconstpointer  user_data)
{
  record_project (fixture->project_dir, 1);

  watcher_start (&fixture->watcher, fixture->bus);
  run_app (fixture, check_tray_menu_follows_config);
}

static gboolean
menu_lists_one_project (gpointer data)
{
  g_autoptr(MenuEntry) root = get_menu_layout (data);

  return count_project_entries (root) == 1;
}

static void
check_tray_menu_follows_registry (Fixture *fixture)
{
  g_autoptr(MenuEntry) before = NULL;
  g_autoptr(MenuEntry) after = NULL;

  wait_registered (fixture);
  before = get_menu_layout (fixture);
  g_assert_cmpuint (count_project_entries (before), ==, 0);

  /* A launch from the command line records the project in projects.json. */
  record_project (fixture->project_dir, 0);
  iterate_until (menu_lists_one_project, fixture);

  after = get_menu_layout (fixture);
  g_assert_cmpstr (((MenuEntry *) g_ptr_array_index (after->children, 0))->label, ==,
                   "project with spaces");
}

static void
test_tray_menu_follows_registry (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  watcher_start (&fixture->watcher, fixture->bus);
  run_app (fixture, check_tray_menu_follows_registry);
}

static gboolean
window_has_session (gpointer data)
{
  Fixture *fixture = data;

  return adw_tab_view_get_n_pages (exitbox_window_get_tab_view (fixture->window)) > 0;
}

static ExitboxSessionTab *
get_only_session (Fixture *fixture)
{
  AdwTabView *tab_view = exitbox_window_get_tab_view (fixture->window);

  g_assert_cmpint (adw_tab_view_get_n_pages (tab_view), ==, 1);

  return EXITBOX_SESSION_TAB (adw_tab_page_get_child (adw_tab_view_get_nth_page (tab_view, 0)));
}

static gboolean
session_failed (gpointer data)
{
  return exitbox_session_tab_get_state (EXITBOX_SESSION_TAB (data)) == EXITBOX_SESSION_STATE_FAILED;
}

/* Sends the "clicked" event for the quick start of Claude Code in the
 * first recent project, as a host does when the user picks it.
 */
static void
click_quick_start (Fixture *fixture)
{
  g_autoptr(MenuEntry) root = get_menu_layout (fixture);
  g_autoptr(GVariant) reply = NULL;
  MenuEntry *project = find_entry (root, "project with spaces");
  MenuEntry *quick_start;

  g_assert_nonnull (project);
  quick_start = find_entry (project, "Claude Code");
  g_assert_nonnull (quick_start);

  reply = call_tray (fixture, EXITBOX_TRAY_MENU_PATH, "com.canonical.dbusmenu", "Event",
                     g_variant_new ("(isvu)", quick_start->id, "clicked",
                                    g_variant_new_int32 (0), (guint32) 0),
                     NULL);
}

static void
check_tray_quick_start_opens (Fixture *fixture)
{
  g_autofree char *expected_path = realpath (fixture->project_dir, NULL);
  ExitboxSessionTab *tab;

  wait_registered (fixture);
  g_assert_null (exitbox_window_get_project (fixture->window));

  click_quick_start (fixture);
  iterate_until (window_has_session, fixture);

  /* The quick start opened its project first. */
  g_assert_nonnull (exitbox_window_get_project (fixture->window));
  g_assert_cmpstr (exitbox_project_get_path (exitbox_window_get_project (fixture->window)), ==,
                   expected_path);

  tab = get_only_session (fixture);
  g_assert_cmpstr (exitbox_session_tab_get_title (tab), ==, "Claude Code · project with spaces");

  /* The fake podman fails the build, so the session ends as failed. */
  iterate_until (session_failed, tab);
  iterate_until (window_is_idle, fixture->window);
}

static void
test_tray_quick_start_opens (Fixture       *fixture,
                             gconstpointer  user_data)
{
  record_project (fixture->project_dir, 1);
  g_setenv ("FAKE_PODMAN_BUILD", "fail", TRUE);

  watcher_start (&fixture->watcher, fixture->bus);
  run_app (fixture, check_tray_quick_start_opens);
}

static AdwMessageDialog *
find_message_dialog (void)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    {
      if (ADW_IS_MESSAGE_DIALOG (l->data) && gtk_widget_get_visible (l->data))
        return l->data;
    }

  return NULL;
}

static gboolean
session_is_active (gpointer data)
{
  Fixture *fixture = data;

  return exitbox_window_get_n_active_sessions (fixture->window) == 1;
}

static gboolean
window_is_visible (gpointer data)
{
  return gtk_widget_get_visible (GTK_WIDGET (data));
}

static void
stop_only_session (Fixture *fixture)
{
  AdwTabView *tab_view = exitbox_window_get_tab_view (fixture->window);
  AdwMessageDialog *dialog;

  adw_tab_view_close_page (tab_view, adw_tab_view_get_nth_page (tab_view, 0));
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "stop");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_cmpint (adw_tab_view_get_n_pages (tab_view), ==, 0);
  iterate_until (window_is_idle, fixture->window);
}

static void
check_tray_close_hides (Fixture *fixture)
{
  g_autoptr(GVariant) reply = NULL;
  AdwMessageDialog *dialog;

  wait_registered (fixture);
  click_quick_start (fixture);
  iterate_until (session_is_active, fixture);

  /* With the tray shown, closing hides the window and the session runs on. */
  gtk_window_close (GTK_WINDOW (fixture->window));
  g_assert_null (find_message_dialog ());
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (fixture->window)));
  g_assert_cmpuint (exitbox_window_get_n_active_sessions (fixture->window), ==, 1);

  /* Activating the icon shows it again. */
  reply = call_tray (fixture, EXITBOX_TRAY_ITEM_PATH, "org.kde.StatusNotifierItem", "Activate",
                     g_variant_new ("(ii)", 0, 0), NULL);
  iterate_until (window_is_visible, fixture->window);

  /* Quit still asks for confirmation, and Cancel keeps the window and the
   * session.
   */
  gtk_window_close (GTK_WINDOW (fixture->window));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (fixture->window)));
  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "quit", NULL);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fixture->window)));
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Stop Running Sessions?");
  adw_message_dialog_response (dialog, "cancel");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fixture->window)));
  g_assert_cmpuint (exitbox_window_get_n_active_sessions (fixture->window), ==, 1);

  /* After Cancel, closing hides into the tray again. */
  gtk_window_close (GTK_WINDOW (fixture->window));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (fixture->window)));

  /* The tray going away shows the hidden window. */
  watcher_unown_name (&fixture->watcher);
  iterate_until (window_is_visible, fixture->window);

  stop_only_session (fixture);
}

static void
test_tray_close_hides (Fixture       *fixture,
                       gconstpointer  user_data)
{
  record_project (fixture->project_dir, 1);
  g_setenv ("FAKE_PODMAN_BUILD", "hang", TRUE);

  watcher_start (&fixture->watcher, fixture->bus);
  run_app (fixture, check_tray_close_hides);
}

static void
check_tray_no_watcher (Fixture *fixture)
{
  ExitboxTray *tray = get_tray (fixture);
  AdwMessageDialog *dialog;

  g_assert_false (exitbox_tray_get_registered (tray));
  g_assert_null (exitbox_tray_get_service (tray));
  g_assert_false (exitbox_application_get_tray_shown (fixture->app));

  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "open-project",
                                  g_variant_new_string (fixture->project_dir));
  iterate_until (window_is_idle, fixture->window);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.launch-agent",
                                             "s", "shell"));
  iterate_until (session_is_active, fixture);

  /* Without a tray, closing the window asks for confirmation instead of
   * hiding it.
   */
  gtk_window_close (GTK_WINDOW (fixture->window));
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Stop Running Sessions?");
  adw_message_dialog_response (dialog, "cancel");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fixture->window)));

  stop_only_session (fixture);
}

static void
test_tray_no_watcher (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_setenv ("FAKE_PODMAN_BUILD", "hang", TRUE);

  run_app (fixture, check_tray_no_watcher);
}

int
main (int   argc,
      char *argv[])
{
  /* libadwaita keeps a proxy for the settings portal on the session bus
   * for the life of the process, and g_test_dbus_down() waits for the
   * bus connection to be released, so the portal is left out.
   */
  g_setenv ("ADW_DISABLE_PORTAL", "1", TRUE);

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gtk_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

#define ADD_TEST(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD_TEST ("/app/tray/registers", test_tray_registers);
  ADD_TEST ("/app/tray/reregisters", test_tray_reregisters);
  ADD_TEST ("/app/tray/menu-quick-starts", test_tray_menu_quick_starts);
  ADD_TEST ("/app/tray/menu-follows-config", test_tray_menu_follows_config);
  ADD_TEST ("/app/tray/menu-follows-registry", test_tray_menu_follows_registry);
  ADD_TEST ("/app/tray/quick-start-opens", test_tray_quick_start_opens);
  ADD_TEST ("/app/tray/close-hides", test_tray_close_hides);
  ADD_TEST ("/app/tray/no-watcher", test_tray_no_watcher);

#undef ADD_TEST

  return g_test_run ();
}
