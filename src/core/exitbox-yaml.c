/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "exitbox-yaml.h"

/* Converts a byte offset into 1-based line and column, counting a UTF-8
 * sequence as one column the way libyaml's marks do.
 */
static void
offset_to_line_column (const char *data,
                       gsize       length,
                       gsize       offset,
                       guint      *out_line,
                       guint      *out_column)
{
  guint line = 1;
  guint column = 1;

  for (gsize i = 0; i < offset && i < length; i++)
    {
      if (data[i] == '\n')
        {
          line++;
          column = 1;
        }
      else if (((guchar) data[i] & 0xC0) != 0x80)
        {
          column++;
        }
    }

  *out_line = line;
  *out_column = column;
}

static void
set_parser_error (const yaml_parser_t  *parser,
                  const char           *path,
                  const char           *data,
                  gsize                 length,
                  GError              **error)
{
  const char *problem = parser->problem != NULL ? parser->problem : _("unknown error");
  guint line;
  guint column;

  switch (parser->error)
    {
    case YAML_MEMORY_ERROR:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("%s: not enough memory to read the YAML document"), path);
      return;

    case YAML_READER_ERROR:
      /* Reader errors (bad encoding) carry a byte offset, not a mark. */
      offset_to_line_column (data, length, parser->problem_offset, &line, &column);
      if (parser->problem_value != -1)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                     _("%s:%u:%u: %s (byte 0x%02X); save the file as UTF-8"),
                     path, line, column, problem, (guint) parser->problem_value);
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                     _("%s:%u:%u: %s; save the file as UTF-8"),
                     path, line, column, problem);
      return;

    case YAML_SCANNER_ERROR:
    case YAML_PARSER_ERROR:
    case YAML_COMPOSER_ERROR:
    case YAML_NO_ERROR:
    case YAML_WRITER_ERROR:
    case YAML_EMITTER_ERROR:
    default:
      break;
    }

  line = (guint) parser->problem_mark.line + 1;
  column = (guint) parser->problem_mark.column + 1;

  /* libyaml's context names the construct that was open, such as
   * "while parsing a block mapping", and where it started.
   */
  if (parser->context != NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 _("%s:%u:%u: %s (%s at line %u, column %u)"),
                 path, line, column, problem, parser->context,
                 (guint) parser->context_mark.line + 1,
                 (guint) parser->context_mark.column + 1);
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 _("%s:%u:%u: %s"), path, line, column, problem);
}

/* YAML requires the keys of a mapping to be unique, but libyaml's composer
 * keeps every pair. A repeated key would make one of the two values silently
 * win, so it is rejected like a syntax error.
 */
static gboolean
check_unique_keys (ExitboxYamlDocument  *self,
                   GError              **error)
{
  for (yaml_node_t *node = self->document.nodes.start; node < self->document.nodes.top; node++)
    {
      g_autoptr(GHashTable) seen = NULL;

      if (node->type != YAML_MAPPING_NODE)
        continue;

      seen = g_hash_table_new (g_str_hash, g_str_equal);

      for (yaml_node_pair_t *pair = node->data.mapping.pairs.start;
           pair < node->data.mapping.pairs.top;
           pair++)
        {
          yaml_node_t *key = yaml_document_get_node (&self->document, pair->key);
          const char *text = exitbox_yaml_node_get_scalar (key);
          yaml_node_t *first;

          if (text == NULL)
            continue;

          first = g_hash_table_lookup (seen, text);
          if (first != NULL)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("%s:%u:%u: duplicate key “%s”, already defined at line %u; "
                             "remove one of them"),
                           self->path,
                           exitbox_yaml_node_get_line (key),
                           exitbox_yaml_node_get_column (key),
                           text,
                           exitbox_yaml_node_get_line (first));
              return FALSE;
            }

          g_hash_table_insert (seen, (gpointer) text, key);
        }
    }

  return TRUE;
}

ExitboxYamlDocument *
exitbox_yaml_document_load_data (const char  *data,
                                 gssize       length,
                                 const char  *path_for_messages,
                                 GError     **error)
{
  g_autoptr(ExitboxYamlDocument) self = NULL;
  yaml_parser_t parser;
  yaml_document_t extra;
  gsize size;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  size = length < 0 ? strlen (data) : (gsize) length;

  self = g_new0 (ExitboxYamlDocument, 1);
  self->path = g_strdup (path_for_messages != NULL ? path_for_messages : _("(input)"));

  if (!yaml_parser_initialize (&parser))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("%s: not enough memory to read the YAML document"), self->path);
      return NULL;
    }

  yaml_parser_set_input_string (&parser, (const unsigned char *) (data != NULL ? data : ""), size);

  /* On failure yaml_parser_load() frees what it built and leaves the
   * document zeroed, so self->document stays safe to delete.
   */
  if (!yaml_parser_load (&parser, &self->document))
    {
      set_parser_error (&parser, self->path, data, size, error);
      yaml_parser_delete (&parser);
      return NULL;
    }

  /* A second document would be ignored by every reader of these files, so
   * its contents (and any syntax error in it) are reported instead.
   */
  if (yaml_document_get_root_node (&self->document) != NULL)
    {
      if (!yaml_parser_load (&parser, &extra))
        {
          set_parser_error (&parser, self->path, data, size, error);
          yaml_parser_delete (&parser);
          return NULL;
        }

      if (yaml_document_get_root_node (&extra) != NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("%s:%u:%u: a second YAML document starts here, but the file must "
                         "contain only one; remove the “---” line and what follows, or merge "
                         "the two"),
                       self->path,
                       (guint) extra.start_mark.line + 1,
                       (guint) extra.start_mark.column + 1);
          yaml_document_delete (&extra);
          yaml_parser_delete (&parser);
          return NULL;
        }

      yaml_document_delete (&extra);
    }

  yaml_parser_delete (&parser);

  if (!check_unique_keys (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

void
exitbox_yaml_document_free (ExitboxYamlDocument *self)
{
  if (self == NULL)
    return;

  yaml_document_delete (&self->document);
  g_free (self->path);
  g_free (self);
}

yaml_node_t *
exitbox_yaml_document_get_root (ExitboxYamlDocument *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return yaml_document_get_root_node (&self->document);
}

guint
exitbox_yaml_node_get_length (yaml_node_t *node)
{
  if (node == NULL)
    return 0;

  if (node->type == YAML_SEQUENCE_NODE)
    return (guint) (node->data.sequence.items.top - node->data.sequence.items.start);

  if (node->type == YAML_MAPPING_NODE)
    return (guint) (node->data.mapping.pairs.top - node->data.mapping.pairs.start);

  return 0;
}

yaml_node_t *
exitbox_yaml_sequence_get_item (ExitboxYamlDocument *self,
                                yaml_node_t         *sequence,
                                guint                index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (sequence != NULL && sequence->type == YAML_SEQUENCE_NODE, NULL);
  g_return_val_if_fail (index < exitbox_yaml_node_get_length (sequence), NULL);

  return yaml_document_get_node (&self->document, sequence->data.sequence.items.start[index]);
}

void
exitbox_yaml_mapping_get_pair (ExitboxYamlDocument  *self,
                               yaml_node_t          *mapping,
                               guint                 index,
                               yaml_node_t         **out_key,
                               yaml_node_t         **out_value)
{
  yaml_node_pair_t *pair;

  g_return_if_fail (self != NULL);
  g_return_if_fail (mapping != NULL && mapping->type == YAML_MAPPING_NODE);
  g_return_if_fail (index < exitbox_yaml_node_get_length (mapping));

  pair = &mapping->data.mapping.pairs.start[index];

  if (out_key != NULL)
    *out_key = yaml_document_get_node (&self->document, pair->key);
  if (out_value != NULL)
    *out_value = yaml_document_get_node (&self->document, pair->value);
}

yaml_node_t *
exitbox_yaml_mapping_lookup (ExitboxYamlDocument *self,
                             yaml_node_t         *mapping,
                             const char          *key)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  if (mapping == NULL || mapping->type != YAML_MAPPING_NODE)
    return NULL;

  for (yaml_node_pair_t *pair = mapping->data.mapping.pairs.start;
       pair < mapping->data.mapping.pairs.top;
       pair++)
    {
      yaml_node_t *key_node = yaml_document_get_node (&self->document, pair->key);
      const char *text = exitbox_yaml_node_get_scalar (key_node);

      if (text != NULL && strcmp (text, key) == 0)
        return yaml_document_get_node (&self->document, pair->value);
    }

  return NULL;
}

const char *
exitbox_yaml_node_get_scalar (yaml_node_t *node)
{
  if (node == NULL || node->type != YAML_SCALAR_NODE)
    return NULL;

  return (const char *) node->data.scalar.value;
}

gboolean
exitbox_yaml_node_is_null (yaml_node_t *node)
{
  const char *text;

  if (node == NULL)
    return TRUE;

  if (!exitbox_yaml_node_is_plain (node))
    return FALSE;

  text = exitbox_yaml_node_get_scalar (node);

  return text[0] == '\0' ||
         strcmp (text, "~") == 0 ||
         g_ascii_strcasecmp (text, "null") == 0;
}

gboolean
exitbox_yaml_node_is_plain (yaml_node_t *node)
{
  return node != NULL &&
         node->type == YAML_SCALAR_NODE &&
         node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

const char *
exitbox_yaml_node_describe_type (yaml_node_t *node)
{
  if (node == NULL)
    return _("nothing");

  switch (node->type)
    {
    case YAML_MAPPING_NODE:
      return _("a mapping");

    case YAML_SEQUENCE_NODE:
      return _("a list");

    case YAML_SCALAR_NODE:
      return _("a text value");

    case YAML_NO_NODE:
    default:
      return _("nothing");
    }
}

guint
exitbox_yaml_node_get_line (yaml_node_t *node)
{
  g_return_val_if_fail (node != NULL, 0);

  return (guint) node->start_mark.line + 1;
}

guint
exitbox_yaml_node_get_column (yaml_node_t *node)
{
  g_return_val_if_fail (node != NULL, 0);

  return (guint) node->start_mark.column + 1;
}

char *
exitbox_yaml_document_dup_location (ExitboxYamlDocument *self,
                                    yaml_node_t         *node)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (node != NULL, NULL);

  return g_strdup_printf ("%s:%u:%u",
                          self->path,
                          exitbox_yaml_node_get_line (node),
                          exitbox_yaml_node_get_column (node));
}

gboolean
exitbox_yaml_parse_boolean (const char *text,
                            gboolean   *out_value)
{
  static const char * const true_words[] = { "true", "yes", "on" };
  static const char * const false_words[] = { "false", "no", "off" };

  g_return_val_if_fail (out_value != NULL, FALSE);

  if (text == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (true_words); i++)
    {
      if (g_ascii_strcasecmp (text, true_words[i]) == 0)
        {
          *out_value = TRUE;
          return TRUE;
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (false_words); i++)
    {
      if (g_ascii_strcasecmp (text, false_words[i]) == 0)
        {
          *out_value = FALSE;
          return TRUE;
        }
    }

  return FALSE;
}
