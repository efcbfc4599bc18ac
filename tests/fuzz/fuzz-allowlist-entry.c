/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

/* libFuzzer target for the allowlist entry grammar. Besides crashes and
 * sanitizer reports, it checks that the canonical form of every accepted
 * entry parses again to the same entry.
 */

#include <stdint.h>
#include <stdlib.h>

#include "exitbox-core.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(ExitboxAllowlistEntry) entry = NULL;
  g_autoptr(ExitboxAllowlistEntry) reparsed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *canonical = NULL;
  g_autofree char *reparsed_text = NULL;
  g_autofree char *notice = NULL;

  entry = exitbox_allowlist_entry_parse (text, &error);
  if (entry == NULL)
    {
      /* Every rejection has a message. */
      if (error == NULL || error->message[0] == '\0')
        abort ();
      return 0;
    }

  canonical = exitbox_allowlist_entry_to_string (entry);
  notice = exitbox_allowlist_entry_dup_notice (text, entry);

  reparsed = exitbox_allowlist_entry_parse (canonical, NULL);
  if (reparsed == NULL)
    abort ();

  reparsed_text = exitbox_allowlist_entry_to_string (reparsed);
  if (g_strcmp0 (reparsed_text, canonical) != 0 || reparsed->kind != entry->kind ||
      reparsed->port != entry->port)
    abort ();

  return 0;
}
