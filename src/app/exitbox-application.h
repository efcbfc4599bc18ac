/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <adwaita.h>

#include "exitbox-allow-prompter.h"
#include "exitbox-core.h"

G_BEGIN_DECLS

#define EXITBOX_TYPE_APPLICATION (exitbox_application_get_type ())
G_DECLARE_FINAL_TYPE (ExitboxApplication, exitbox_application, EXITBOX, APPLICATION, AdwApplication)

typedef struct _ExitboxTray ExitboxTray;

/* Registers the desktop GResource (templates, style sheet, icons) once. Every
 * class with a template calls this before it loads the template.
 */
void                exitbox_desktop_ensure_resources          (void);

ExitboxApplication *exitbox_application_new                   (void);

/* Re-reads config.yaml and allowlist.yaml and detects the engine again, then
 * emits "reloaded". The application also calls it by itself once the config
 * folder has been quiet for 250 ms after a change to either file.
 */
void                exitbox_application_reload                (ExitboxApplication *self);

/* The last settings that loaded, kept when a reload fails, or NULL when
 * config.yaml has never loaded. The error says why the latest load failed,
 * and while it is set nothing launches.
 */
ExitboxConfig      *exitbox_application_get_config            (ExitboxApplication *self);
const GError       *exitbox_application_get_config_error      (ExitboxApplication *self);
/* Why the first-run defaults could not be written, or NULL. */
const GError       *exitbox_application_get_setup_error       (ExitboxApplication *self);
/* Whether neither config.yaml nor allowlist.yaml exists yet, so the setup
 * window is open or about to open.
 */
gboolean            exitbox_application_get_first_run         (ExitboxApplication *self);
/* Whether this start wrote the default config.yaml and allowlist.yaml, after
 * the first-run setup was closed without saving.
 */
gboolean            exitbox_application_get_wrote_defaults    (ExitboxApplication *self);
const char         *exitbox_application_get_config_dir        (ExitboxApplication *self);

ExitboxAllowlist   *exitbox_application_get_allowlist         (ExitboxApplication *self);

/* NULL when no engine was found; the error names what to install. */
ExitboxEngine      *exitbox_application_get_engine            (ExitboxApplication *self);
const GError       *exitbox_application_get_engine_error      (ExitboxApplication *self);

/* Present only with an engine and a loaded config. Used for state queries;
 * each session creates its own launcher.
 */
ExitboxLauncher    *exitbox_application_get_launcher          (ExitboxApplication *self);

/* The proxy's access log, read from where it ended when the application
 * started. Its "blocked-request" signal feeds the session tabs. NULL
 * before startup.
 */
ExitboxProxyLog    *exitbox_application_get_proxy_log         (ExitboxApplication *self);
/* The dialogs for exitbox-allow requests, or NULL before startup or when the
 * requests folder cannot be watched.
 */
ExitboxAllowPrompter *exitbox_application_get_allow_prompter  (ExitboxApplication *self);

/* Sends @notification when a notification service runs on the session bus,
 * and otherwise does nothing.
 */
void                exitbox_application_notify                (ExitboxApplication *self,
                                                               const char         *id,
                                                               GNotification      *notification);

/* The tray icon, or NULL when the build has no libdbusmenu-glib or the
 * application has no session bus connection.
 */
ExitboxTray        *exitbox_application_get_tray              (ExitboxApplication *self);
/* Whether a tray host displays the tray icon, so that closing the window
 * with running sessions may hide it instead of asking.
 */
gboolean            exitbox_application_get_tray_shown        (ExitboxApplication *self);

G_END_DECLS
