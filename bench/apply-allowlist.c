/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 *
 * Applies allowlist.yaml to the running proxy through the core, as a launch
 * does: it loads the file from ExitBox's configuration folder, inspects the
 * proxy container and image, and calls exitbox_firewall_ensure_async(). That
 * rewrites squid.conf and runs `squid -k reconfigure` when the text changed.
 * With --add ENTRY it first adds the entry to allowlist.yaml through the
 * core, as `exitbox allowlist add` does, so the figure covers the whole path
 * from adding a domain to enforcement.
 *
 * Prints one "name=value" line per step: the time each step ended in µs
 * since main() started, and the CLOCK_REALTIME time in µs when the core
 * returned, for comparison with timestamps taken in containers.
 *
 * Usage: apply-allowlist [--add ENTRY] (uses EXITBOX_CONFIG_DIR, EXITBOX_CACHE_DIR,
 * EXITBOX_SQUID_DNS and CONTAINER_RUNTIME like the exitbox command)
 */

#include <gio/gio.h>

#include "exitbox-core.h"

static void
on_ready (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  GAsyncResult **out_result = user_data;

  *out_result = g_object_ref (result);
  g_main_context_wakeup (NULL);
}

static ExitboxConfig *
load_config (const char  *config_dir,
             GError     **error)
{
  g_autofree char *path = g_build_filename (config_dir, "config.yaml", NULL);
  g_autoptr(GError) local_error = NULL;
  ExitboxConfig *config;

  config = exitbox_config_load_file (path, &local_error);
  if (config != NULL)
    return config;

  /* As in the CLI, a missing config.yaml means the defaults. */
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    return exitbox_config_new_default ();

  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

int
main (int   argc,
      char *argv[])
{
  gint64 start = g_get_monotonic_time ();
  g_autofree char *config_dir = NULL;
  g_autofree char *allowlist_path = NULL;
  g_autofree char *proxy_address = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxEngine) engine = NULL;
  g_autoptr(ExitboxConfig) config = NULL;
  g_autoptr(ExitboxAllowlist) allowlist = NULL;
  g_autoptr(ExitboxImageBuilder) images = NULL;
  g_autoptr(ExitboxFirewall) firewall = NULL;
  g_autoptr(ExitboxInspection) inspection = NULL;
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  g_auto(GStrv) inspect_names = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  if (argc != 1 && !(argc == 3 && g_str_equal (argv[1], "--add")))
    {
      g_printerr ("apply-allowlist: takes no arguments or --add ENTRY; it reads allowlist.yaml "
                  "from EXITBOX_CONFIG_DIR or ~/.config/exitbox\n");
      return 2;
    }

  exitbox_core_init ();

  config_dir = exitbox_dup_config_dir ();
  allowlist_path = g_build_filename (config_dir, "allowlist.yaml", NULL);

  if (argc == 3)
    {
      g_autofree char *message = exitbox_allowlist_add_entry_in_file (allowlist_path, argv[2],
                                                                      NULL, &error);

      if (message == NULL)
        {
          g_printerr ("apply-allowlist: %s\n", error->message);
          return 1;
        }
      g_print ("added_us=%" G_GINT64_FORMAT "\n", g_get_monotonic_time () - start);
    }

  engine = exitbox_engine_detect (&error);
  if (engine == NULL)
    {
      g_printerr ("apply-allowlist: %s\n", error->message);
      return 1;
    }

  config = load_config (config_dir, &error);
  if (config == NULL)
    {
      g_printerr ("apply-allowlist: %s\n", error->message);
      return 1;
    }

  allowlist = exitbox_allowlist_load_file (allowlist_path);
  if (exitbox_allowlist_get_status (allowlist) != EXITBOX_ALLOWLIST_STATUS_OK)
    {
      g_printerr ("apply-allowlist: %s\n", exitbox_allowlist_get_problem (allowlist));
      return 1;
    }
  g_print ("loaded_us=%" G_GINT64_FORMAT "\n", g_get_monotonic_time () - start);

  /* The same names a launch inspects for the firewall. */
  g_strv_builder_addv (names, (const char **) exitbox_firewall_get_inspect_names ());
  g_strv_builder_add (names, EXITBOX_IMAGE_PROXY);
  inspect_names = g_strv_builder_end (names);

  inspection = exitbox_engine_inspect (engine, (const char * const *) inspect_names, NULL, &error);
  if (inspection == NULL)
    {
      g_printerr ("apply-allowlist: %s\n", error->message);
      return 1;
    }
  g_print ("inspected_us=%" G_GINT64_FORMAT "\n", g_get_monotonic_time () - start);

  images = exitbox_image_builder_new (engine, config);
  firewall = exitbox_firewall_new (engine, images);
  if (exitbox_firewall_get_state (firewall, inspection) != EXITBOX_FIREWALL_STATE_RUNNING)
    {
      g_printerr ("apply-allowlist: the proxy container %s is not running; launch a session "
                  "first, because this program measures a change to a running proxy\n",
                  EXITBOX_PROXY_CONTAINER);
      return 1;
    }

  exitbox_firewall_ensure_async (firewall, inspection, allowlist, NULL, on_ready, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  proxy_address = exitbox_firewall_ensure_finish (firewall, result, &error);
  if (proxy_address == NULL)
    {
      g_printerr ("apply-allowlist: %s\n", error->message);
      return 1;
    }

  g_print ("applied_us=%" G_GINT64_FORMAT "\n", g_get_monotonic_time () - start);
  g_print ("applied_realtime_us=%" G_GINT64_FORMAT "\n", g_get_real_time ());
  g_print ("proxy_address=%s\n", proxy_address);

  return 0;
}
