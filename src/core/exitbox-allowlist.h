/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  EXITBOX_ALLOWLIST_ENTRY_DOMAIN,  /* the name and all its subdomains */
  EXITBOX_ALLOWLIST_ENTRY_IPV4,
  EXITBOX_ALLOWLIST_ENTRY_IPV6,
} ExitboxAllowlistEntryKind;

/* One allowlist entry in canonical form. */
typedef struct
{
  ExitboxAllowlistEntryKind  kind;
  char                      *host;  /* lower-case ASCII, no wildcard, no trailing dot, IPv6 unbracketed */
  guint16                    port;  /* 0 when the entry names no port */
} ExitboxAllowlistEntry;

ExitboxAllowlistEntry *exitbox_allowlist_entry_parse     (const char                  *text,
                                                          GError                     **error);
ExitboxAllowlistEntry *exitbox_allowlist_entry_copy      (const ExitboxAllowlistEntry *entry);
void                   exitbox_allowlist_entry_free      (ExitboxAllowlistEntry       *entry);
/* "example.com", "example.com:8443", "[2001:db8::1]:443" */
char                  *exitbox_allowlist_entry_to_string (const ExitboxAllowlistEntry *entry);

/* Returns a translated notice when @text is a URL that
 * exitbox_allowlist_entry_parse() reduced to the host (and port) of @entry,
 * or NULL when @text names the host itself.
 */
char                  *exitbox_allowlist_entry_dup_notice (const char                  *text,
                                                          const ExitboxAllowlistEntry *entry);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ExitboxAllowlistEntry, exitbox_allowlist_entry_free)

typedef enum
{
  EXITBOX_ALLOWLIST_STATUS_OK,
  EXITBOX_ALLOWLIST_STATUS_MISSING,
  EXITBOX_ALLOWLIST_STATUS_EMPTY,
  EXITBOX_ALLOWLIST_STATUS_INVALID,
} ExitboxAllowlistStatus;

#define EXITBOX_TYPE_ALLOWLIST (exitbox_allowlist_get_type ())
G_DECLARE_FINAL_TYPE (ExitboxAllowlist, exitbox_allowlist, EXITBOX, ALLOWLIST, GObject)

/* Never returns NULL: a missing, empty or unparsable file gives an allowlist
 * that allows nothing, with a status and a problem message saying why.
 */
ExitboxAllowlist       *exitbox_allowlist_load_file        (const char       *path);
/* The allowlist that first-run setup writes. */
ExitboxAllowlist       *exitbox_allowlist_new_default      (void);
ExitboxAllowlist       *exitbox_allowlist_load_data        (const char       *data,
                                                            gssize            length,
                                                            const char       *path_for_messages);

ExitboxAllowlistStatus  exitbox_allowlist_get_status       (ExitboxAllowlist *self);
/* Why every destination is blocked, or NULL when the status is OK. */
const char             *exitbox_allowlist_get_problem      (ExitboxAllowlist *self);
/* Category names in file order. */
const char * const     *exitbox_allowlist_get_categories   (ExitboxAllowlist *self);
/* The translated display name of a category of the default allowlist, such
 * as "AI providers" for "ai_providers", or @category itself for any other
 * name.
 */
const char             *exitbox_allowlist_category_get_display_name (const char *category);
/* The enforced entries: parsed, de-duplicated, in file order. Element type ExitboxAllowlistEntry. */
GPtrArray              *exitbox_allowlist_get_entries      (ExitboxAllowlist *self);
guint                   exitbox_allowlist_get_n_entries    (ExitboxAllowlist *self);
/* Messages about entries that are left out because a copy or a listed
 * parent domain already allows them.
 */
const char * const     *exitbox_allowlist_get_notices      (ExitboxAllowlist *self);

/* Messages about entries that were skipped because they are invalid. */
const char * const     *exitbox_allowlist_get_warnings     (ExitboxAllowlist *self);

/* One entry as written in the file, for editors. */
typedef struct
{
  char     *text;       /* the text in the file */
  char     *canonical;  /* exitbox_allowlist_entry_to_string(), or NULL when the text is invalid */
  gboolean  disabled;   /* whether the disabled list contains the same canonical entry */
} ExitboxAllowlistItem;

/* The items of @category in file order, including invalid ones, or NULL
 * when the file has no such category. Element type ExitboxAllowlistItem.
 */
GPtrArray              *exitbox_allowlist_get_category_items (ExitboxAllowlist *self,
                                                              const char       *category);
/* The items of the disabled list in file order. Element type ExitboxAllowlistItem. */
GPtrArray              *exitbox_allowlist_get_disabled_items (ExitboxAllowlist *self);

/* The category that exitbox_allowlist_add_entry_in_file() uses by default. */
#define EXITBOX_ALLOWLIST_DEFAULT_CATEGORY "custom"

/* Adds the entry @text, in canonical form, to @category (NULL for "custom")
 * of the allowlist file @path, changing only that list's lines and saving
 * atomically with mode 0600. Returns a translated message saying what
 * changed, or that nothing did because the entry is already allowed, or NULL
 * on error. Fails without writing when @text is not a valid entry, when the
 * file is missing or does not parse, or when the disabled list contains the
 * entry.
 */
char                   *exitbox_allowlist_add_entry_in_file    (const char  *path,
                                                                const char  *text,
                                                                const char  *category,
                                                                GError     **error);
/* Removes every item of every category of @path whose canonical form is
 * that of @text, so "*.example.com" also removes "example.com". An invalid
 * @text removes items written exactly that way. When no category lists the
 * entry any more, it leaves the disabled list too, so that adding it again
 * allows it. Returns a translated message naming the categories, or NULL with
 * G_IO_ERROR_NOT_FOUND when no category contains the entry.
 */
char                   *exitbox_allowlist_remove_entry_in_file (const char  *path,
                                                                const char  *text,
                                                                GError     **error);

/* Edits the `disabled` list of the allowlist text @data: appends the
 * canonical form of each entry of @disable that is missing there, and removes
 * every item equal to an entry of @enable. Other lines stay byte for byte.
 * Fails without a result when @data does not parse, or when an entry of
 * @disable is invalid or in no category.
 */
char                   *exitbox_allowlist_edit_disabled        (const char          *data,
                                                                gssize               length,
                                                                const char          *path_for_messages,
                                                                const char * const  *disable,
                                                                const char * const  *enable,
                                                                gsize               *out_length,
                                                                GError             **error);

/* Disables the entry @text of the allowlist file @path, keeping it in its
 * categories, or enables it again, saving atomically with mode 0600. Returns
 * a translated message saying what changed, or NULL on error.
 */
char                   *exitbox_allowlist_set_disabled_in_file (const char  *path,
                                                                const char  *text,
                                                                gboolean     disabled,
                                                                GError     **error);

G_END_DECLS
