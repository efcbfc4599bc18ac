/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <sys/utsname.h>

#include <glib/gi18n.h>

#include "exitbox-cli-private.h"

static char *
dup_platform (void)
{
  g_autofree char *distribution = g_get_os_info (G_OS_INFO_KEY_PRETTY_NAME);
  struct utsname name;

  if (uname (&name) != 0)
    return g_strdup (distribution != NULL ? distribution : _("unknown"));

  if (distribution == NULL)
    return g_strdup_printf ("%s %s %s", name.sysname, name.release, name.machine);

  return g_strdup_printf ("%s %s %s (%s)", name.sysname, name.release, name.machine,
                          distribution);
}

static void
print_network (ExitboxInspection *inspection,
               const char        *network)
{
  if (inspection == NULL)
    g_print (_("  %s: unknown\n"), network);
  else if (!exitbox_inspection_has_network (inspection, network))
    g_print (_("  %s: not created yet\n"), network);
  else
    {
      const char *subnet = exitbox_inspection_get_network_subnet (inspection, network);

      g_print ("  %s: %s%s%s\n", network,
               subnet != NULL ? subnet : _("no IPv4 subnet"),
               exitbox_inspection_get_network_internal (inspection, network) ? _(", internal") : "",
               exitbox_inspection_get_network_dns_enabled (inspection, network)
               ? _(", engine DNS on") : "");
    }
}

static void
print_proxy (ExitboxInspection *inspection)
{
  const char *address;

  if (inspection == NULL)
    {
      g_print (_("Proxy: unknown\n"));
      return;
    }

  if (!exitbox_inspection_has_container (inspection, EXITBOX_PROXY_CONTAINER))
    {
      g_print (_("Proxy: %s not created yet; the next session starts it\n"),
               EXITBOX_PROXY_CONTAINER);
      return;
    }

  if (!exitbox_inspection_get_container_running (inspection, EXITBOX_PROXY_CONTAINER))
    {
      g_print (_("Proxy: %s stopped; the next session starts it\n"), EXITBOX_PROXY_CONTAINER);
      return;
    }

  address = exitbox_inspection_get_container_address (inspection, EXITBOX_PROXY_CONTAINER,
                                                      EXITBOX_NETWORK_INTERNAL);
  g_print (_("Proxy: %s running at %s on %s\n"), EXITBOX_PROXY_CONTAINER,
           address != NULL ? address : _("an unknown address"), EXITBOX_NETWORK_INTERNAL);
}

/* `exitbox info`: versions, the engine and its host, ExitBox's networks,
 * the proxy, the folders and the agents. Engine failures are printed in
 * place, so the rest of the report still appears.
 */
int
exitbox_cli_info (CliOptions    *options,
                  ExitboxConfig *config,
                  ExitboxEngine *engine,
                  GError        *engine_error)
{
  static const char * const names[] = {
    EXITBOX_NETWORK_INTERNAL, EXITBOX_NETWORK_EGRESS, EXITBOX_PROXY_CONTAINER, NULL
  };
  g_autoptr(ExitboxInspection) inspection = NULL;
  g_autoptr(ExitboxHostInfo) host = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *platform = dup_platform ();
  g_autofree char *config_dir = exitbox_dup_config_dir ();
  g_autofree char *cache_dir = exitbox_dup_cache_dir ();
  g_autofree char *data_dir = exitbox_dup_data_dir ();
  g_autofree char *version = NULL;
  g_autofree char *description = NULL;

  if (exitbox_cli_wants_help (options->args))
    {
      g_print ("%s", _("Usage: exitbox info\n"
                       "\n"
                       "Show the ExitBox version, the platform, the container engine and its\n"
                       "version, rootless or rootful, the OCI runtime, the cgroup version, the\n"
                       "networks exitbox-int and exitbox-egress, the proxy container, ExitBox’s\n"
                       "configuration, cache and data folders, and the agents with their image\n"
                       "state for the current folder.\n"));
      return 0;
    }

  if (options->args[0] != NULL)
    {
      g_autofree char *message =
        g_strdup_printf (_("“info” takes no arguments, but got “%s”."), options->args[0]);
      exitbox_cli_print_error (message);
      return 2;
    }

  g_print (_("ExitBox: %s\n"), PACKAGE_VERSION);
  g_print (_("Platform: %s\n"), platform);

  if (engine == NULL)
    g_print (_("Engine: none found (%s)\n"), engine_error->message);
  else
    {
      version = exitbox_engine_query_version (engine, NULL, NULL);
      description = exitbox_engine_dup_description (engine, version);
      g_print (_("Engine: %s\n"), description);

      host = exitbox_host_info_query (engine, &error);
      if (host == NULL)
        {
          g_print (_("OCI runtime and cgroup version: unknown (%s)\n"), error->message);
          g_clear_error (&error);
        }
      else
        {
          g_print (_("OCI runtime: %s\n"),
                   host->oci_runtime != NULL ? host->oci_runtime : _("unknown"));
          g_print (_("cgroup version: %s\n"),
                   host->cgroup_version != NULL ? host->cgroup_version : _("unknown"));
        }

      inspection = exitbox_engine_inspect (engine, names, NULL, &error);
      if (inspection == NULL)
        {
          g_print (_("Networks and proxy: unknown (%s)\n"), error->message);
          g_clear_error (&error);
        }
    }

  if (engine != NULL && inspection != NULL)
    {
      g_print (_("Networks:\n"));
      print_network (inspection, EXITBOX_NETWORK_INTERNAL);
      print_network (inspection, EXITBOX_NETWORK_EGRESS);
      print_proxy (inspection);
    }

  g_print (_("Configuration folder: %s\n"), config_dir);
  g_print (_("Cache folder: %s\n"), cache_dir);
  g_print (_("Data folder: %s\n"), data_dir);
  g_print (_("Agents (image state for the current folder):\n"));

  return exitbox_cli_print_agents (config, engine, "  ");
}
