/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include <yaml.h>
#include <glib.h>

G_BEGIN_DECLS

/* One YAML document loaded with libyaml's document API, together with the
 * file name used in messages. Node pointers stay valid until the document is
 * freed.
 */
typedef struct
{
  yaml_document_t  document;
  char            *path;
} ExitboxYamlDocument;

/* Loads the first document of @data. An empty input gives a document without
 * a root node. A syntax error, a second document or a duplicate mapping key
 * fails with G_IO_ERROR_INVALID_DATA and the message
 * "PATH:LINE:COLUMN: problem", with 1-based line and column.
 */
ExitboxYamlDocument *exitbox_yaml_document_load_data     (const char           *data,
                                                          gssize                length,
                                                          const char           *path_for_messages,
                                                          GError              **error);
void                 exitbox_yaml_document_free          (ExitboxYamlDocument  *self);

/* The root node, or NULL when the document is empty. */
yaml_node_t         *exitbox_yaml_document_get_root      (ExitboxYamlDocument  *self);
/* The value stored under the scalar @key in @mapping, or NULL when @mapping
 * is not a mapping or has no such key.
 */
yaml_node_t         *exitbox_yaml_mapping_lookup         (ExitboxYamlDocument  *self,
                                                          yaml_node_t          *mapping,
                                                          const char           *key);
/* The number of items of a sequence or of pairs of a mapping, else 0. */
guint                exitbox_yaml_node_get_length        (yaml_node_t          *node);
/* The item at @index of @sequence, which must be below its length. */
yaml_node_t         *exitbox_yaml_sequence_get_item      (ExitboxYamlDocument  *self,
                                                          yaml_node_t          *sequence,
                                                          guint                 index);
/* The key and value of the pair at @index of @mapping, in file order. */
void                 exitbox_yaml_mapping_get_pair       (ExitboxYamlDocument  *self,
                                                          yaml_node_t          *mapping,
                                                          guint                 index,
                                                          yaml_node_t         **out_key,
                                                          yaml_node_t         **out_value);

/* The text of a scalar node, or NULL when @node is not a scalar. */
const char          *exitbox_yaml_node_get_scalar        (yaml_node_t          *node);
/* Whether @node is absent or the YAML null: an empty plain scalar, "~", or
 * "null" in any letter case.
 */
gboolean             exitbox_yaml_node_is_null           (yaml_node_t          *node);
/* Whether @node is a scalar written without quotes. */
gboolean             exitbox_yaml_node_is_plain          (yaml_node_t          *node);
/* The translated kind of @node for messages: "a mapping", "a list",
 * "a text value" or "nothing".
 */
const char          *exitbox_yaml_node_describe_type     (yaml_node_t          *node);

/* 1-based line and column where @node starts. */
guint                exitbox_yaml_node_get_line          (yaml_node_t          *node);
guint                exitbox_yaml_node_get_column        (yaml_node_t          *node);
/* "PATH:LINE:COLUMN" of @node, for the start of a message. */
char                *exitbox_yaml_document_dup_location  (ExitboxYamlDocument  *self,
                                                          yaml_node_t          *node);

/* Parses a YAML 1.1 boolean: true/false, yes/no, on/off in any letter case. */
gboolean             exitbox_yaml_parse_boolean          (const char           *text,
                                                          gboolean             *out_value);

/* Returns a copy of @data in which the scalar at @key_path (a NULL-terminated
 * list of mapping keys from the root) is @value, or NULL on error. Only the
 * bytes of that scalar change. A missing key, and missing parent mappings,
 * are added as new lines at the end of the parent block mapping, indented
 * like its other keys, using the line ending of the file. Comments, blank
 * lines, key order and every other value stay byte for byte.
 *
 * @value is written without quotes when it reads back unchanged that way,
 * else in double quotes. Before returning, the result is parsed again and
 * the value at @key_path is compared with @value.
 *
 * Fails with G_IO_ERROR_INVALID_DATA when @data is not valid YAML, or when a
 * key on the path contains a list or a text value instead of a mapping. Fails
 * with G_IO_ERROR_NOT_SUPPORTED when a key would have to be added inside a
 * flow mapping ("{a: 1}"), or when the value is a block scalar, has a tag or
 * an anchor, or is an alias.
 */
char                *exitbox_yaml_set_scalar             (const char           *data,
                                                          gssize                length,
                                                          const char           *path_for_messages,
                                                          const char * const   *key_path,
                                                          const char           *value,
                                                          gsize                *out_length,
                                                          GError              **error);

/* Returns a copy of @data with @value added as the last item of the block
 * list under @key, a key of the root mapping, or NULL on error. The item is
 * one new line after the last item, written like the first item of a list
 * in the file. A missing key is added as "KEY:" and the item at the end of
 * the root mapping. An empty value ("KEY:", "KEY: ~") or an empty flow list
 * ("KEY: []") becomes a block list. Every other byte stays as it was, and
 * the result is parsed again to check that the list ends with @value.
 *
 * Fails with G_IO_ERROR_INVALID_DATA when @data is not valid YAML or @key
 * contains something other than a list, and with G_IO_ERROR_NOT_SUPPORTED for
 * a non-empty flow list ("[a, b]"), a flow root mapping or an alias.
 */
char                *exitbox_yaml_append_sequence_item   (const char           *data,
                                                          gssize                length,
                                                          const char           *path_for_messages,
                                                          const char           *key,
                                                          const char           *value,
                                                          gsize                *out_length,
                                                          GError              **error);

/* Like exitbox_yaml_append_sequence_item(), for the list under @key inside
 * the block mapping under @parent_key (a key of the root mapping), such as
 * tools.user. Missing keys are added as new lines indented one step per
 * level. Fails with G_IO_ERROR_NOT_SUPPORTED when @parent_key is not a block
 * mapping with keys, or the list is a non-empty flow list.
 */
char                *exitbox_yaml_append_nested_sequence_item (const char    *data,
                                                               gssize         length,
                                                               const char    *path_for_messages,
                                                               const char    *parent_key,
                                                               const char    *key,
                                                               const char    *value,
                                                               gsize         *out_length,
                                                               GError       **error);

/* Returns a copy of @data without the items of the block list under @key
 * (a key of the root mapping) whose text is @value, or NULL on error. The
 * whole line of each such item goes, including a comment after it, and
 * other lines stay byte for byte. A list left without items reads as empty. The
 * result is parsed again to check that only those items are gone.
 *
 * Fails with G_IO_ERROR_NOT_FOUND when the list has no such item, and with
 * G_IO_ERROR_NOT_SUPPORTED for a flow list or an item that does not have a
 * line of its own.
 */
char                *exitbox_yaml_remove_sequence_item   (const char           *data,
                                                          gssize                length,
                                                          const char           *path_for_messages,
                                                          const char           *key,
                                                          const char           *value,
                                                          gsize                *out_length,
                                                          GError              **error);

/* Rewrites the flow list "KEY: [a, b]" at the top of @data as a flow list of
 * @items, changing only the text between its brackets. Fails when the value
 * of @key is not a flow list, or when the result does not read back as
 * @items.
 */
char                *exitbox_yaml_replace_flow_sequence  (const char           *data,
                                                          gssize                length,
                                                          const char           *path_for_messages,
                                                          const char           *key,
                                                          const char * const   *items,
                                                          gsize                *out_length,
                                                          GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ExitboxYamlDocument, exitbox_yaml_document_free)

G_END_DECLS
