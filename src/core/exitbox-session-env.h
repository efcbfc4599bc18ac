/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Host variables a session receives unless -n/--no-env is given: terminal
 * type, locale, time zone and the agents' credentials.
 */
const char * const *exitbox_session_env_get_default_names  (void);
/* Variables ExitBox sets itself (proxy, HOME, PATH, ...), which -e and
 * settings.env_passthrough cannot set.
 */
const char * const *exitbox_session_env_get_reserved_names (void);
gboolean            exitbox_session_env_name_is_reserved   (const char          *name);
/* A shell-style name: a letter or '_', then letters, digits or '_'. */
gboolean            exitbox_session_env_name_is_valid      (const char          *name);

/* Checks one -e value, "KEY=VALUE". Fails with G_IO_ERROR_INVALID_ARGUMENT
 * naming the value: no '=', an invalid or reserved name, or a line break in
 * the value (an env file contains one variable per line).
 */
gboolean            exitbox_session_env_check_assignment   (const char          *assignment,
                                                            GError             **error);

/* Collects the session's variables as "KEY=VALUE" strings, later entries
 * winning: the default names and @passthrough_names read from the host
 * environment @host_env (skipped entirely when @no_env), then the checked
 * @assignments. Host variables that are unset, reserved or hold a line break
 * are left out, and each one left out for a reason other than being unset
 * adds a translated note to @warnings when it is not NULL.
 */
char              **exitbox_session_env_collect            (const char * const  *host_env,
                                                            gboolean             no_env,
                                                            const char * const  *passthrough_names,
                                                            const char * const  *assignments,
                                                            GPtrArray           *warnings,
                                                            GError             **error);

/* Writes @variables to a new file in @dir (created with mode 0700) with
 * mode 0600, one "KEY=VALUE" per line, the format podman's and docker's
 * --env-file read. Returns its path. The caller removes it after the session.
 */
char               *exitbox_session_env_write_file         (const char          *dir,
                                                            const char          *name,
                                                            const char * const  *variables,
                                                            GError             **error);

G_END_DECLS
