/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

/* libFuzzer target for the loaders of config.yaml, allowlist.yaml and the
 * catalogue, and for the in-place edits that the wizard and the CLI make.
 * An edit that succeeds must give a file that loads again.
 */

#include <stdint.h>
#include <stdlib.h>

#include "exitbox-core.h"
#include "exitbox-yaml.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
check_allowlist_edit (const char *text,
                      gsize       length)
{
  g_autoptr(ExitboxAllowlist) allowlist = exitbox_allowlist_load_data (text, (gssize) length,
                                                                        "allowlist.yaml");
  g_autoptr(ExitboxAllowlist) edited_allowlist = NULL;
  g_autofree char *edited = NULL;
  g_autofree char *first = NULL;
  GPtrArray *entries;
  const char *disable[] = { NULL, NULL };
  gsize edited_length = 0;

  if (exitbox_allowlist_get_status (allowlist) != EXITBOX_ALLOWLIST_STATUS_OK)
    return;

  entries = exitbox_allowlist_get_entries (allowlist);
  first = exitbox_allowlist_entry_to_string (g_ptr_array_index (entries, 0));
  disable[0] = first;

  edited = exitbox_allowlist_edit_disabled (text, (gssize) length, "allowlist.yaml", disable,
                                            NULL, &edited_length, NULL);
  if (edited == NULL)
    return;

  edited_allowlist = exitbox_allowlist_load_data (edited, (gssize) edited_length,
                                                  "allowlist.yaml");
  if (exitbox_allowlist_get_status (edited_allowlist) == EXITBOX_ALLOWLIST_STATUS_INVALID)
    abort ();
}

static void
check_config_edit (const char *text,
                   gsize       length)
{
  const char *key_path[] = { "agents", "codex", "enabled", NULL };
  g_autoptr(ExitboxConfig) config = exitbox_config_load_data (text, (gssize) length,
                                                              "config.yaml", NULL);
  g_autoptr(ExitboxConfig) edited_config = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *edited = NULL;
  gsize edited_length = 0;

  if (config == NULL)
    return;

  edited = exitbox_yaml_set_scalar (text, (gssize) length, "config.yaml", key_path, "true",
                                    &edited_length, NULL);
  if (edited == NULL)
    return;

  edited_config = exitbox_config_load_data (edited, (gssize) edited_length, "config.yaml",
                                            &error);
  if (edited_config == NULL || !exitbox_config_get_agent_enabled (edited_config, "codex"))
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(ExitboxCatalogue) catalogue = NULL;

  exitbox_core_init ();

  catalogue = exitbox_catalogue_load_data ((const char *) data, (gssize) size, "catalogue.yaml",
                                           NULL);
  check_allowlist_edit ((const char *) data, size);
  check_config_edit ((const char *) data, size);

  return 0;
}
