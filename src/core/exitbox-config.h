/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define EXITBOX_CONFIG_ERROR (exitbox_config_error_quark ())

typedef enum
{
  EXITBOX_CONFIG_ERROR_PARSE,          /* not valid YAML; message names file:line:column */
  EXITBOX_CONFIG_ERROR_INVALID_VALUE,  /* valid YAML, wrong type or unknown value */
  EXITBOX_CONFIG_ERROR_NEWER_VERSION,  /* `version` above what this build reads */
} ExitboxConfigError;

typedef enum
{
  EXITBOX_BASE_FAMILY_DEBIAN,
  EXITBOX_BASE_FAMILY_ALPINE,
} ExitboxBaseFamily;

/* settings.runtime: which container engine to use. */
typedef enum
{
  EXITBOX_CONFIG_RUNTIME_AUTO,    /* podman when installed, else docker */
  EXITBOX_CONFIG_RUNTIME_PODMAN,
  EXITBOX_CONFIG_RUNTIME_DOCKER,
} ExitboxConfigRuntime;

#define EXITBOX_TYPE_CONFIG (exitbox_config_get_type ())
G_DECLARE_FINAL_TYPE (ExitboxConfig, exitbox_config, EXITBOX, CONFIG, GObject)

GQuark             exitbox_config_error_quark        (void);

ExitboxConfig     *exitbox_config_new_default        (void);
/* Reads @path without writing anything. A file that does not exist fails with
 * G_IO_ERROR_NOT_FOUND, and a syntax error with EXITBOX_CONFIG_ERROR_PARSE.
 */
ExitboxConfig     *exitbox_config_load_file          (const char     *path,
                                                      GError        **error);
ExitboxConfig     *exitbox_config_load_data          (const char     *data,
                                                      gssize          length,
                                                      const char     *path_for_messages,
                                                      GError        **error);

/* The `version` key, 1 when absent. */
gint               exitbox_config_get_version        (ExitboxConfig  *self);
gboolean           exitbox_config_get_agent_enabled  (ExitboxConfig  *self,
                                                      const char     *agent_id);
ExitboxBaseFamily  exitbox_config_get_base_family    (ExitboxConfig  *self);
/* settings.base_image as written, or NULL */
const char        *exitbox_config_get_base_image     (ExitboxConfig  *self);
/* EXITBOX_BASE_IMAGE, else settings.base_image, else the family's default */
char              *exitbox_config_dup_effective_base_image (ExitboxConfig *self);
const char        *exitbox_config_get_memory         (ExitboxConfig  *self);  /* "8g" by default */
const char        *exitbox_config_get_cpus           (ExitboxConfig  *self);  /* "4" by default */
/* The value checks of settings.default_flags.memory and .cpus, shared with
 * the --memory and --cpus options: "8g", "512m" and "1.5" are valid.
 */
gboolean           exitbox_config_memory_is_valid    (const char     *text);
gboolean           exitbox_config_cpus_is_valid      (const char     *text);

/* The lists below are NULL-terminated, owned by @self and never NULL: a
 * missing key gives an empty list.
 *
 * NOTE: the getters from here to proxy_idle_minutes return checked values,
 * but the launcher and the engine choice do not read them yet, except
 * no_firewall, read_only and proxy_idle_minutes.
 */

/* `roles` as lower-case role ids, in file order. */
const char * const *exitbox_config_get_roles         (ExitboxConfig  *self);
/* `tool_categories` as tool category ids, in file order. */
const char * const *exitbox_config_get_tool_categories (ExitboxConfig *self);
/* agents.AGENT_ID.version, or NULL when the agent is not pinned. */
const char        *exitbox_config_get_agent_version  (ExitboxConfig  *self,
                                                      const char     *agent_id);
/* `tools.user` after renaming deprecated package names and removing
 * duplicates, in file order.
 */
const char * const *exitbox_config_get_user_tools    (ExitboxConfig  *self);
/* `profiles` as profile ids, ["base"] when the key is missing. The legacy
 * mapping form (`profiles: {active: …, items: …}`) is skipped with a notice.
 */
const char * const *exitbox_config_get_profiles      (ExitboxConfig  *self);
/* settings.env_passthrough: host environment variable names. */
const char * const *exitbox_config_get_env_passthrough (ExitboxConfig *self);
/* Translated messages about values that loading changed in memory, such
 * as a renamed package in tools.user. The file itself is not changed.
 */
const char * const *exitbox_config_get_notices       (ExitboxConfig  *self);

gboolean           exitbox_config_get_auto_update    (ExitboxConfig  *self);  /* FALSE by default */
gboolean           exitbox_config_get_status_bar     (ExitboxConfig  *self);  /* TRUE by default */
/* settings.default_flags.no_firewall, .read_only and .no_env, FALSE by default. */
gboolean           exitbox_config_get_no_firewall    (ExitboxConfig  *self);
gboolean           exitbox_config_get_read_only      (ExitboxConfig  *self);
gboolean           exitbox_config_get_no_env         (ExitboxConfig  *self);
ExitboxConfigRuntime exitbox_config_get_runtime      (ExitboxConfig  *self);  /* AUTO by default */
/* settings.proxy_idle_minutes: how long the proxy may stay up after the
 * last session ends, 10 by default.
 */
guint              exitbox_config_get_proxy_idle_minutes (ExitboxConfig *self);

const char        *exitbox_config_runtime_to_string  (ExitboxConfigRuntime runtime);

const char        *exitbox_base_family_to_string     (ExitboxBaseFamily family);
const char        *exitbox_base_family_default_image (ExitboxBaseFamily family);

/* Checks that @reference is a container image reference such as
 * "debian:bookworm-slim" or "registry.example.com:5000/team/base:1.0", so
 * it can go into an engine argv and a Containerfile FROM line unchanged.
 * Fails with G_IO_ERROR_INVALID_ARGUMENT naming the value.
 */
gboolean           exitbox_image_reference_validate  (const char     *reference,
                                                      GError        **error);

/* Writes the default config.yaml and allowlist.yaml into @config_dir when
 * neither exists (first run), and the default config.yaml alone when only
 * allowlist.yaml exists. A missing allowlist.yaml next to a config.yaml is
 * never written, so the firewall blocks everything and says why. Sets
 * @out_created to whether it wrote a file.
 */
gboolean           exitbox_config_ensure_defaults    (const char     *config_dir,
                                                      gboolean       *out_created,
                                                      GError        **error);

/* Checks @value for the setting at @key_path, such as { "settings",
 * "default_flags", "memory", NULL }, by the rules the file parser applies.
 * Fails with EXITBOX_CONFIG_ERROR_INVALID_VALUE naming the value, the key and
 * the accepted values, or with G_IO_ERROR_INVALID_ARGUMENT when @key_path is
 * not a scalar setting of config.yaml.
 */
gboolean           exitbox_config_check_value        (const char * const  *key_path,
                                                      const char          *value,
                                                      GError             **error);

/* Sets the scalar at @key_path, such as { "settings", "default_flags",
 * "memory", NULL }, to @value in the config.yaml at @path, changing only
 * that value's bytes or adding the missing keys, and saves atomically with
 * mode 0600. Nothing is written when the file fails to load, when
 * exitbox_config_check_value() rejects the value (naming no file position),
 * when the edited file is invalid, or when the file's version is newer than
 * this build reads. Sets @out_changed to whether it wrote.
 */
gboolean           exitbox_config_set_value_in_file  (const char          *path,
                                                      const char * const  *key_path,
                                                      const char          *value,
                                                      gboolean            *out_changed,
                                                      GError             **error);

/* Sets agents.AGENT_ID.enabled in the config.yaml at @path, changing only
 * that value's bytes or adding the missing keys, and saves the file
 * atomically with mode 0600. Nothing is written when the file fails to load
 * (EXITBOX_CONFIG_ERROR_PARSE or _INVALID_VALUE), when @agent_id is not in
 * the catalogue (G_IO_ERROR_INVALID_ARGUMENT), when its version is newer
 * than this build reads (EXITBOX_CONFIG_ERROR_NEWER_VERSION), or when the
 * agent already has that state. Sets @out_changed to whether it wrote.
 */
gboolean           exitbox_config_set_agent_enabled_in_file (const char  *path,
                                                             const char  *agent_id,
                                                             gboolean     enabled,
                                                             gboolean    *out_changed,
                                                             GError     **error);

/* Appends the package names @tools to tools.user in the config.yaml at
 * @path, changing only the lines of that list so comments and the rest of
 * the file stay as written, and saves atomically with mode 0600. Names the
 * list already contains are skipped. An invalid or deprecated name fails
 * with G_IO_ERROR_INVALID_ARGUMENT before anything is written, and a file
 * that fails to load is never written. Sets @out_added to the names added.
 */
gboolean           exitbox_config_add_user_tools_in_file (const char          *path,
                                                          const char * const  *tools,
                                                          GPtrArray          **out_added,
                                                          GError             **error);

/* Saves @data as the config.yaml at @path, atomically with mode 0600, after
 * checking that it parses as a configuration of a version this build
 * writes. Nothing is written when the check fails (EXITBOX_CONFIG_ERROR_*).
 */
gboolean           exitbox_config_save_data_to_file  (const char  *path,
                                                      const char  *data,
                                                      gsize        length,
                                                      GError     **error);

G_END_DECLS
