/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "exitbox-launch-plan.h"
#include "exitbox-squid-config.h"

/* Quotes one field of a --mount value. Both podman and docker read --mount
 * as a CSV record, so a path with ',' or '"' survives only as a quoted field.
 */
static void
append_csv_field (GString    *value,
                  const char *field)
{
  if (value->len > 0)
    g_string_append_c (value, ',');

  g_string_append_c (value, '"');
  for (const char *p = field; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (value, '"');
      g_string_append_c (value, *p);
    }
  g_string_append_c (value, '"');
}

static char *
build_bind_mount (const char *source,
                  const char *destination,
                  gboolean    read_only)
{
  GString *value = g_string_new (NULL);
  g_autofree char *source_field = g_strconcat ("source=", source, NULL);
  g_autofree char *destination_field = g_strconcat ("destination=", destination, NULL);

  append_csv_field (value, "type=bind");
  append_csv_field (value, source_field);
  append_csv_field (value, destination_field);
  if (read_only)
    append_csv_field (value, "readonly");

  return g_string_free (value, FALSE);
}

static void
add (GPtrArray  *args,
     const char *arg)
{
  g_ptr_array_add (args, g_strdup (arg));
}

static void
add_pair (GPtrArray  *args,
          const char *option,
          const char *value)
{
  add (args, option);
  add (args, value);
}

static void
add_pair_take (GPtrArray  *args,
               const char *option,
               char       *value)
{
  add (args, option);
  g_ptr_array_add (args, value);
}

static void
add_env (GPtrArray  *args,
         const char *name,
         const char *value)
{
  add (args, "--env");
  g_ptr_array_add (args, g_strdup_printf ("%s=%s", name, value));
}

char **
exitbox_launch_build_run_args (const ExitboxLaunchOptions *options)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *proxy_url = NULL;
  g_autofree char *user = NULL;
  g_autofree char *mount = NULL;

  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (options->image != NULL, NULL);
  g_return_val_if_fail (options->container_name != NULL, NULL);
  g_return_val_if_fail (options->project_path != NULL, NULL);
  g_return_val_if_fail (options->no_firewall || options->proxy_address != NULL, NULL);

  add (args, "run");
  add (args, "--rm");
  add (args, "--init");
  add_pair (args, "--name", options->container_name);
  if (options->interactive)
    {
      add (args, "--interactive");
      add (args, "--tty");
    }

  if (options->no_firewall)
    {
      /* Without the firewall the container gets the engine's default
       * bridge network, with its own address and DNS, and never the host's
       * network namespace.
       */
      add_pair (args, "--network", "bridge");
    }
  else
    {
      /* The internal network has no route out, so the proxy is the only way. */
      add_pair (args, "--network", EXITBOX_NETWORK_INTERNAL);

      /* The proxy's rules for this session are keyed by this address.
       * NOTE: docker accepts --ip only on a network created with --subnet,
       * which exitbox-int is not; only podman has been tested.
       */
      if (options->address != NULL)
        add_pair (args, "--ip", options->address);

      /* Without an explicit resolver the engine copies the host's resolv.conf
       * (or forwards to it), and external names would resolve inside. Nothing
       * listens on the container's own loopback, so every lookup fails at once.
       */
      add_pair (args, "--dns", "127.0.0.1");
    }

  add (args, "--cap-drop=ALL");
  add (args, "--security-opt=no-new-privileges");

  if (options->memory != NULL)
    add_pair (args, "--memory", options->memory);
  if (options->cpus != NULL)
    add_pair (args, "--cpus", options->cpus);
  if (options->pids_limit > 0)
    {
      g_autofree char *pids = g_strdup_printf ("%u", options->pids_limit);
      add_pair (args, "--pids-limit", pids);
    }

  /* Rootless podman maps the host user to the same uid inside, so files the
   * agent writes in /workspace belong to the host user.
   */
  if (options->engine_kind == EXITBOX_ENGINE_KIND_PODMAN && options->rootless)
    add (args, "--userns=keep-id");

  user = g_strdup_printf ("%u:%u", options->uid, options->gid);
  add_pair (args, "--user", user);

  mount = build_bind_mount (options->project_path, EXITBOX_WORKSPACE_DIR,
                            options->read_only);
  add_pair (args, "--mount", mount);
  for (guint i = 0; i < options->n_extra_mounts; i++)
    {
      const ExitboxLaunchMount *extra = &options->extra_mounts[i];

      add_pair_take (args, "--mount",
                     build_bind_mount (extra->source, extra->destination, extra->read_only));
    }
  if (options->home_path != NULL)
    add_pair_take (args, "--mount",
                   build_bind_mount (options->home_path, EXITBOX_CONTAINER_HOME, FALSE));
  add_pair (args, "--workdir", EXITBOX_WORKSPACE_DIR);

  /* Values from the host and -e go through the file, so secrets never
   * appear in the engine's command line, which every local user can read.
   * The file never sets ExitBox's own variables below, because those names
   * are reserved.
   */
  if (options->env_file != NULL)
    add_pair (args, "--env-file", options->env_file);

  if (!options->no_firewall)
    {
      proxy_url = g_strdup_printf ("http://%s:%d", options->proxy_address, EXITBOX_PROXY_PORT);
      add_env (args, "http_proxy", proxy_url);
      add_env (args, "https_proxy", proxy_url);
      add_env (args, "HTTP_PROXY", proxy_url);
      add_env (args, "HTTPS_PROXY", proxy_url);
      add_env (args, "no_proxy", "localhost,127.0.0.1,::1");
      add_env (args, "NO_PROXY", "localhost,127.0.0.1,::1");
    }
  add_env (args, "HOME", EXITBOX_CONTAINER_HOME);
  if (options->interactive && options->env_file == NULL)
    add_env (args, "TERM", "xterm-256color");
  if (options->agent_id != NULL)
    add_env (args, "EXITBOX_AGENT", options->agent_id);

  add (args, options->image);

  if (options->command != NULL)
    {
      for (guint i = 0; options->command[i] != NULL; i++)
        add (args, options->command[i]);
    }

  g_ptr_array_add (args, NULL);

  return (char **) g_ptr_array_free (g_steal_pointer (&args), FALSE);
}

char *
exitbox_launch_dup_container_name (const char *agent_id,
                                   const char *project_key)
{
  g_return_val_if_fail (project_key != NULL, NULL);

  return g_strdup_printf ("exitbox-%s-%s-%08x",
                          agent_id != NULL ? agent_id : "shell",
                          project_key,
                          g_random_int ());
}

/* Appends @text as valid UTF-8 with every control character (C0, DEL and
 * C1) replaced by a space, so that a folder name cannot move the cursor or
 * end the line.
 */
static void
append_printable (GString    *line,
                  const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c))
        g_string_append_c (line, ' ');
      else
        g_string_append_unichar (line, c);
    }
}

char *
exitbox_launch_dup_status_line (const char *agent_name,
                                const char *project_path,
                                gboolean    no_firewall,
                                guint       n_allowed,
                                guint       n_session_entries)
{
  g_autoptr(GString) line = g_string_new (NULL);
  g_autofree char *project_name = NULL;
  g_autofree char *firewall = NULL;

  g_return_val_if_fail (agent_name != NULL, NULL);
  g_return_val_if_fail (project_path != NULL, NULL);

  project_name = g_path_get_basename (project_path);

  if (no_firewall)
    firewall = g_strdup (_("FIREWALL OFF"));
  else if (n_session_entries == 0)
    firewall = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "firewall on, %u domain",
                                             "firewall on, %u domains",
                                             n_allowed),
                                n_allowed);
  else
    /* Translators: the second number counts the domains of -a, which only
     * this session may reach.
     */
    firewall = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "firewall on, %u domain + %u for this session",
                                             "firewall on, %u domains + %u for this session",
                                             n_allowed),
                                n_allowed, n_session_entries);

  g_string_append_printf (line, "ExitBox %s – ", PACKAGE_VERSION);
  append_printable (line, agent_name);
  g_string_append (line, " – ");
  append_printable (line, project_name);
  g_string_append (line, " – ");
  g_string_append (line, firewall);

  return g_string_free (g_steal_pointer (&line), FALSE);
}
