/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <errno.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "exitbox-paths.h"
#include "exitbox-session-env.h"

static const char * const default_names[] = {
  /* Terminal type and colours. */
  "TERM",
  "COLORTERM",
  /* Locale and time zone. */
  "LANG",
  "LANGUAGE",
  "LC_ALL",
  "LC_CTYPE",
  "LC_COLLATE",
  "LC_MESSAGES",
  "LC_MONETARY",
  "LC_NUMERIC",
  "LC_TIME",
  "TZ",
  /* Credentials the three agents read: Claude Code, Codex and OpenCode's
   * providers.
   */
  "ANTHROPIC_API_KEY",
  "ANTHROPIC_AUTH_TOKEN",
  "CLAUDE_CODE_OAUTH_TOKEN",
  "OPENAI_API_KEY",
  "OPENROUTER_API_KEY",
  "GEMINI_API_KEY",
  NULL
};

/* Names the launch plan or the image sets. A user value would break the
 * proxy, the home folder or the entrypoint. Every EXITBOX_* name is
 * reserved too.
 */
static const char * const reserved_names[] = {
  "HOME",
  "PATH",
  "USER",
  "LOGNAME",
  "SHELL",
  "HOSTNAME",
  "PWD",
  "http_proxy",
  "https_proxy",
  "ftp_proxy",
  "all_proxy",
  "no_proxy",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "FTP_PROXY",
  "ALL_PROXY",
  "NO_PROXY",
  "EXITBOX_*",
  NULL
};

const char * const *
exitbox_session_env_get_default_names (void)
{
  return default_names;
}

const char * const *
exitbox_session_env_get_reserved_names (void)
{
  return reserved_names;
}

gboolean
exitbox_session_env_name_is_reserved (const char *name)
{
  g_return_val_if_fail (name != NULL, FALSE);

  if (g_str_has_prefix (name, "EXITBOX_"))
    return TRUE;

  return g_strv_contains (reserved_names, name);
}

gboolean
exitbox_session_env_name_is_valid (const char *name)
{
  g_return_val_if_fail (name != NULL, FALSE);

  if (!g_ascii_isalpha (name[0]) && name[0] != '_')
    return FALSE;

  for (const char *p = name + 1; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '_')
        return FALSE;
    }

  return TRUE;
}

gboolean
exitbox_session_env_check_assignment (const char  *assignment,
                                      GError     **error)
{
  const char *equals;
  g_autofree char *name = NULL;

  g_return_val_if_fail (assignment != NULL, FALSE);

  equals = strchr (assignment, '=');
  if (equals == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Invalid -e value “%s”: expected KEY=VALUE, for example -e MY_TOKEN=abc."),
                   assignment);
      return FALSE;
    }

  name = g_strndup (assignment, equals - assignment);
  if (!exitbox_session_env_name_is_valid (name))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Invalid variable name “%s” in -e %s: a name starts with a letter or "
                     "“_” and contains only letters, digits and “_”."),
                   name, assignment);
      return FALSE;
    }

  if (exitbox_session_env_name_is_reserved (name))
    {
      g_autofree char *list = g_strjoinv (", ", (char **) reserved_names);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The variable %s is reserved: ExitBox sets it itself. The reserved "
                     "names are %s."),
                   name, list);
      return FALSE;
    }

  if (strpbrk (equals + 1, "\r\n") != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The value of %s given with -e contains a line break, which an "
                     "environment file cannot hold. Pass a value on one line."),
                   name);
      return FALSE;
    }

  return TRUE;
}

/* Adds or replaces NAME=VALUE in @variables, which maps names to values. */
static void
add_host_variable (GHashTable         *variables,
                   GPtrArray          *order,
                   const char * const *host_env,
                   const char         *name,
                   GPtrArray          *warnings)
{
  const char *value = g_environ_getenv ((char **) host_env, name);

  if (value == NULL)
    return;

  if (!exitbox_session_env_name_is_valid (name) || exitbox_session_env_name_is_reserved (name))
    {
      if (warnings != NULL)
        g_ptr_array_add (warnings,
                         g_strdup_printf (_("The host variable %s is not passed to the "
                                            "session: ExitBox sets it itself. Remove it from "
                                            "settings.env_passthrough."),
                                          name));
      return;
    }

  if (strpbrk (value, "\r\n") != NULL)
    {
      if (warnings != NULL)
        g_ptr_array_add (warnings,
                         g_strdup_printf (_("The host variable %s is not passed to the "
                                            "session: its value contains a line break."),
                                          name));
      return;
    }

  if (!g_hash_table_contains (variables, name))
    g_ptr_array_add (order, g_strdup (name));
  g_hash_table_insert (variables, g_strdup (name), g_strdup (value));
}

char **
exitbox_session_env_collect (const char * const  *host_env,
                             gboolean             no_env,
                             const char * const  *passthrough_names,
                             const char * const  *assignments,
                             GPtrArray           *warnings,
                             GError             **error)
{
  g_autoptr(GHashTable) variables = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GStrvBuilder) result = g_strv_builder_new ();

  for (guint i = 0; assignments != NULL && assignments[i] != NULL; i++)
    {
      if (!exitbox_session_env_check_assignment (assignments[i], error))
        return NULL;
    }

  if (!no_env)
    {
      for (guint i = 0; default_names[i] != NULL; i++)
        add_host_variable (variables, order, host_env, default_names[i], warnings);

      for (guint i = 0; passthrough_names != NULL && passthrough_names[i] != NULL; i++)
        add_host_variable (variables, order, host_env, passthrough_names[i], warnings);
    }

  for (guint i = 0; assignments != NULL && assignments[i] != NULL; i++)
    {
      const char *equals = strchr (assignments[i], '=');
      char *name = g_strndup (assignments[i], equals - assignments[i]);

      if (!g_hash_table_contains (variables, name))
        g_ptr_array_add (order, g_strdup (name));
      g_hash_table_insert (variables, name, g_strdup (equals + 1));
    }

  for (guint i = 0; i < order->len; i++)
    {
      const char *name = g_ptr_array_index (order, i);

      g_autofree char *variable =
        g_strdup_printf ("%s=%s", name, (const char *) g_hash_table_lookup (variables, name));

      g_strv_builder_add (result, variable);
    }

  return g_strv_builder_end (result);
}

char *
exitbox_session_env_write_file (const char          *dir,
                                const char          *name,
                                const char * const  *variables,
                                GError             **error)
{
  g_autoptr(GString) contents = g_string_new (NULL);
  g_autofree char *path = NULL;

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Failed to create the folder %s: %s"), dir, g_strerror (saved_errno));
      return NULL;
    }

  for (guint i = 0; variables != NULL && variables[i] != NULL; i++)
    {
      g_string_append (contents, variables[i]);
      g_string_append_c (contents, '\n');
    }

  path = g_build_filename (dir, name, NULL);
  if (!exitbox_write_file_atomically (path, contents->str, contents->len, 0600, error))
    return NULL;

  return g_steal_pointer (&path);
}
