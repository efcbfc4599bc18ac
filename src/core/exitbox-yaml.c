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

/* libyaml lets an alias refer to a node that contains it, which makes the
 * node graph cyclic and every walk over it endless. Such a document is
 * rejected. The walk keeps its own stack, because nesting can be deep.
 */
static gboolean
check_no_cycles (ExitboxYamlDocument  *self,
                 GError              **error)
{
  enum { UNSEEN, OPEN, DONE };
  yaml_node_t *nodes = self->document.nodes.start;
  gsize n_nodes = self->document.nodes.top - nodes;
  g_autofree guint8 *state = g_new0 (guint8, n_nodes);
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (gsize));
  g_autoptr(GArray) next_child = g_array_new (FALSE, FALSE, sizeof (gsize));

  for (gsize root = 0; root < n_nodes; root++)
    {
      gsize zero = 0;

      if (state[root] != UNSEEN)
        continue;

      g_array_append_val (stack, root);
      g_array_append_val (next_child, zero);
      state[root] = OPEN;

      while (stack->len > 0)
        {
          gsize current = g_array_index (stack, gsize, stack->len - 1);
          gsize *child_index = &g_array_index (next_child, gsize, next_child->len - 1);
          yaml_node_t *node = &nodes[current];
          gsize n_children = 0;
          int child = 0;

          if (node->type == YAML_SEQUENCE_NODE)
            {
              n_children = node->data.sequence.items.top - node->data.sequence.items.start;
              if (*child_index < n_children)
                child = node->data.sequence.items.start[*child_index];
            }
          else if (node->type == YAML_MAPPING_NODE)
            {
              n_children = 2 * (gsize) (node->data.mapping.pairs.top -
                                        node->data.mapping.pairs.start);
              if (*child_index < n_children)
                {
                  yaml_node_pair_t *pair = &node->data.mapping.pairs.start[*child_index / 2];

                  child = *child_index % 2 == 0 ? pair->key : pair->value;
                }
            }

          if (*child_index >= n_children)
            {
              state[current] = DONE;
              g_array_set_size (stack, stack->len - 1);
              g_array_set_size (next_child, next_child->len - 1);
              continue;
            }

          (*child_index)++;

          /* Node ids start at 1. */
          if (child < 1 || (gsize) child > n_nodes)
            continue;

          if (state[child - 1] == OPEN)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("%s:%u:%u: an alias here refers to a node that contains it, so the "
                             "file would never end when read. Replace the alias with the "
                             "values it stands for."),
                           self->path,
                           exitbox_yaml_node_get_line (node),
                           exitbox_yaml_node_get_column (node));
              return FALSE;
            }

          if (state[child - 1] == UNSEEN)
            {
              gsize child_position = (gsize) child - 1;

              state[child_position] = OPEN;
              g_array_append_val (stack, child_position);
              g_array_append_val (next_child, zero);
            }
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

  if (!check_no_cycles (self, error) || !check_unique_keys (self, error))
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

/* Editing. libyaml's marks count characters, not bytes, and start after a
 * UTF-8 byte order mark, so every mark is converted with mark_to_offset()
 * before it touches the text.
 */

#define UTF8_BOM "\xEF\xBB\xBF"

typedef struct
{
  const char          *data;
  gsize                length;
  gsize                bom_length;
  ExitboxYamlDocument *document;
  const char          *line_ending;
  guint                indent_step;
} YamlEdit;

static gsize
mark_to_offset (const YamlEdit   *edit,
                const yaml_mark_t *mark)
{
  const char *start = edit->data + edit->bom_length;

  return edit->bom_length + (gsize) (g_utf8_offset_to_pointer (start, (glong) mark->index) - start);
}

/* Returns the offset just after the line break that ends the line
 * containing @offset, or the end of the text.
 */
static gsize
skip_to_next_line (const YamlEdit *edit,
                   gsize           offset)
{
  while (offset < edit->length && edit->data[offset] != '\n' && edit->data[offset] != '\r')
    offset++;

  if (offset < edit->length && edit->data[offset] == '\r')
    offset++;
  if (offset < edit->length && edit->data[offset] == '\n')
    offset++;

  return offset;
}

/* The line ending of the first line, so new lines match the file. */
static const char *
detect_line_ending (const char *data,
                    gsize       length)
{
  for (gsize i = 0; i < length; i++)
    {
      if (data[i] == '\n')
        return "\n";
      if (data[i] == '\r')
        return i + 1 < length && data[i + 1] == '\n' ? "\r\n" : "\r";
    }

  return "\n";
}

/* The indentation the file uses for a nested block mapping, taken from the
 * first key whose value is one, else 2 spaces.
 */
static guint
detect_indent_step (ExitboxYamlDocument *document)
{
  for (yaml_node_t *node = document->document.nodes.start; node < document->document.nodes.top; node++)
    {
      if (node->type != YAML_MAPPING_NODE || node->data.mapping.style == YAML_FLOW_MAPPING_STYLE)
        continue;

      for (yaml_node_pair_t *pair = node->data.mapping.pairs.start;
           pair < node->data.mapping.pairs.top;
           pair++)
        {
          yaml_node_t *key = yaml_document_get_node (&document->document, pair->key);
          yaml_node_t *value = yaml_document_get_node (&document->document, pair->value);
          yaml_node_t *first_key;

          if (value->type != YAML_MAPPING_NODE ||
              value->data.mapping.style == YAML_FLOW_MAPPING_STYLE ||
              exitbox_yaml_node_get_length (value) == 0)
            continue;

          first_key = yaml_document_get_node (&document->document,
                                              value->data.mapping.pairs.start[0].key);
          if (first_key->start_mark.column > key->start_mark.column)
            return (guint) (first_key->start_mark.column - key->start_mark.column);
        }
    }

  return 2;
}

/* Whether @text reads back as the same string when written without quotes
 * in block and flow context. The check is strict on purpose: anything
 * unusual is quoted.
 */
static gboolean
can_write_plain (const char *text)
{
  if (text[0] == '\0' || !g_ascii_isalnum (text[0]))
    return FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && strchr ("_.-/", *p) == NULL)
        return FALSE;
    }

  /* A word such as "null" or "~" would read back as no value. */
  return g_ascii_strcasecmp (text, "null") != 0;
}

static char *
format_scalar (const char *text)
{
  GString *quoted;

  if (can_write_plain (text))
    return g_strdup (text);

  quoted = g_string_new ("\"");
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_printf (quoted, "\\%c", *p);
      else if ((guchar) *p < 0x20 || *p == 0x7F)
        g_string_append_printf (quoted, "\\x%02X", (guchar) *p);
      else
        g_string_append_c (quoted, *p);
    }
  g_string_append_c (quoted, '"');

  return g_string_free (quoted, FALSE);
}

/* "agents.codex" for the first @n_keys keys of @key_path. */
static char *
join_key_path (const char * const *key_path,
               guint               n_keys)
{
  GString *joined = g_string_new (NULL);

  for (guint i = 0; i < n_keys; i++)
    {
      if (i > 0)
        g_string_append_c (joined, '.');
      g_string_append (joined, key_path[i]);
    }

  return g_string_free (joined, FALSE);
}

static gboolean
find_pair (ExitboxYamlDocument  *document,
           yaml_node_t          *mapping,
           const char           *key,
           yaml_node_t         **out_key,
           yaml_node_t         **out_value)
{
  guint n_pairs = exitbox_yaml_node_get_length (mapping);

  for (guint i = 0; i < n_pairs; i++)
    {
      yaml_node_t *key_node;
      yaml_node_t *value_node;
      const char *text;

      exitbox_yaml_mapping_get_pair (document, mapping, i, &key_node, &value_node);
      text = exitbox_yaml_node_get_scalar (key_node);
      if (text != NULL && strcmp (text, key) == 0)
        {
          *out_key = key_node;
          *out_value = value_node;
          return TRUE;
        }
    }

  return FALSE;
}

/* Where the text of @node ends, in the units of libyaml's marks. The end
 * mark of a block collection lies at the next token after it, which can be
 * several comment lines further down, so this uses its last item instead.
 */
static gsize
content_end_index (ExitboxYamlDocument *document,
                   yaml_node_t         *node)
{
  guint length = exitbox_yaml_node_get_length (node);
  yaml_node_t *last_key;
  yaml_node_t *last_value;
  gsize key_end;

  if (node->type == YAML_SCALAR_NODE || length == 0)
    return node->end_mark.index;

  if (node->type == YAML_SEQUENCE_NODE)
    {
      if (node->data.sequence.style == YAML_FLOW_SEQUENCE_STYLE)
        return node->end_mark.index;

      return content_end_index (document,
                                exitbox_yaml_sequence_get_item (document, node, length - 1));
    }

  if (node->data.mapping.style == YAML_FLOW_MAPPING_STYLE)
    return node->end_mark.index;

  exitbox_yaml_mapping_get_pair (document, node, length - 1, &last_key, &last_value);
  key_end = content_end_index (document, last_key);

  /* An empty value has no text. Its mark is wherever the next token is. */
  if (last_value->start_mark.index == last_value->end_mark.index)
    return key_end;

  /* A value before its key is an alias of an earlier node. */
  return MAX (key_end, content_end_index (document, last_value));
}

static gboolean
is_zero_width (yaml_node_t *node)
{
  return node->start_mark.index == node->end_mark.index;
}

/* The lines for the keys @key_path[@first] onwards, the last one set to
 * @value, each nested one step further than the previous.
 */
static char *
build_new_lines (const YamlEdit     *edit,
                 const char * const *key_path,
                 guint               first,
                 guint               n_keys,
                 guint               indent,
                 const char         *value)
{
  GString *lines = g_string_new (NULL);

  for (guint i = first; i < n_keys; i++)
    {
      g_autofree char *key = format_scalar (key_path[i]);

      for (guint column = 0; column < indent + (i - first) * edit->indent_step; column++)
        g_string_append_c (lines, ' ');

      g_string_append_printf (lines, "%s:", key);

      if (i + 1 == n_keys)
        {
          g_autofree char *formatted = format_scalar (value);

          g_string_append_printf (lines, " %s", formatted);
        }

      g_string_append (lines, edit->line_ending);
    }

  return g_string_free (lines, FALSE);
}

/* Returns @edit->data with [@remove_start, @remove_end) removed and
 * @insertion put at @insert_at, which lies at or after @remove_end. When
 * @insertion is whole lines and goes at the end of a file whose last line has
 * no line break, one is added first.
 */
static GString *
apply_edit (const YamlEdit *edit,
            gsize           remove_start,
            gsize           remove_end,
            gsize           insert_at,
            const char     *insertion,
            gboolean        insertion_is_lines)
{
  GString *result = g_string_sized_new (edit->length + strlen (insertion) + 2);

  g_assert (remove_start <= remove_end && remove_end <= insert_at && insert_at <= edit->length);

  g_string_append_len (result, edit->data, (gssize) remove_start);
  g_string_append_len (result, edit->data + remove_end, (gssize) (insert_at - remove_end));

  /* The last line of the file may have no line break yet. */
  if (insertion_is_lines && insert_at == edit->length && insert_at > 0 &&
      edit->data[insert_at - 1] != '\n' && edit->data[insert_at - 1] != '\r')
    g_string_append (result, edit->line_ending);

  g_string_append (result, insertion);
  g_string_append_len (result, edit->data + insert_at, (gssize) (edit->length - insert_at));

  return result;
}

static gboolean
check_not_alias (ExitboxYamlDocument  *document,
                 yaml_node_t          *key,
                 yaml_node_t          *value,
                 const char           *key_path_text,
                 GError              **error)
{
  if (is_zero_width (value) || value->start_mark.index >= key->end_mark.index)
    return TRUE;

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               _("%s:%u:%u: %s refers to a YAML anchor defined at line %u, and changing it "
                 "would change every place that uses the anchor. Edit the file by hand."),
               document->path, exitbox_yaml_node_get_line (key),
               exitbox_yaml_node_get_column (key), key_path_text,
               exitbox_yaml_node_get_line (value));
  return FALSE;
}

/* Replaces the scalar @node, the value of @key, with @value. */
static GString *
replace_scalar (const YamlEdit  *edit,
                yaml_node_t     *key,
                yaml_node_t     *node,
                const char      *key_path_text,
                const char      *value,
                GError         **error)
{
  g_autofree char *formatted = format_scalar (value);
  g_autofree char *location = exitbox_yaml_document_dup_location (edit->document, node);
  gsize start;
  gsize end;

  if (node->data.scalar.style == YAML_LITERAL_SCALAR_STYLE ||
      node->data.scalar.style == YAML_FOLDED_SCALAR_STYLE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("%s: %s is a block scalar (“|” or “>”), which ExitBox does not rewrite. "
                     "Replace it with a value on the same line as the key."),
                   location, key_path_text);
      return NULL;
    }

  /* An empty value has no bytes: the new value goes right after the colon
   * that follows the key, before any comment on that line.
   */
  if (is_zero_width (node))
    {
      gsize colon = mark_to_offset (edit, &key->end_mark);

      while (colon < edit->length && (edit->data[colon] == ' ' || edit->data[colon] == '\t'))
        colon++;

      if (colon >= edit->length || edit->data[colon] != ':')
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       _("%s: %s has no value and no “:” after its key. Write "
                         "“%s: %s” there by hand."),
                       location, key_path_text, exitbox_yaml_node_get_scalar (key), formatted);
          return NULL;
        }

      char *with_space = g_strconcat (" ", formatted, NULL);

      g_free (formatted);
      formatted = with_space;
      start = end = colon + 1;
    }
  else
    {
      start = mark_to_offset (edit, &node->start_mark);
      end = mark_to_offset (edit, &node->end_mark);

      /* The node's text starts with its tag or anchor, if any, and a new
       * value there would drop them.
       */
      if (edit->data[start] == '!' || edit->data[start] == '&')
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       _("%s: %s has a YAML tag or anchor, which ExitBox does not rewrite. "
                         "Edit the file by hand."),
                       location, key_path_text);
          return NULL;
        }
    }

  return apply_edit (edit, start, end, end, formatted, FALSE);
}

/* Adds the keys @key_path[@first] onwards to the block mapping @mapping,
 * after the line of its last pair, indented like its first key.
 */
static GString *
insert_into_mapping (const YamlEdit     *edit,
                     yaml_node_t        *mapping,
                     const char * const *key_path,
                     guint               first,
                     guint               n_keys,
                     const char         *value,
                     GError            **error)
{
  g_autofree char *lines = NULL;
  yaml_node_t *first_key;
  yaml_mark_t end_mark = { 0 };

  if (mapping->data.mapping.style == YAML_FLOW_MAPPING_STYLE)
    {
      g_autofree char *location = exitbox_yaml_document_dup_location (edit->document, mapping);
      g_autofree char *parent_path = join_key_path (key_path, first);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("%s: %s is written in flow style (“{key: value}”), and ExitBox adds keys "
                     "only to mappings with one key per line. Rewrite it with one key per "
                     "line, or add “%s” inside the braces by hand."),
                   location, first > 0 ? parent_path : _("the document"), key_path[first]);
      return NULL;
    }

  exitbox_yaml_mapping_get_pair (edit->document, mapping, 0, &first_key, NULL);
  end_mark.index = content_end_index (edit->document, mapping);
  lines = build_new_lines (edit, key_path, first, n_keys, (guint) first_key->start_mark.column,
                           value);

  /* A block scalar ends after its line break, other values before it. */
  {
    gsize end = mark_to_offset (edit, &end_mark);
    gsize insert_at = end > 0 && edit->data[end - 1] == '\n' ? end : skip_to_next_line (edit, end);

    return apply_edit (edit, insert_at, insert_at, insert_at, lines, TRUE);
  }
}

/* Turns the empty value @node of @key (nothing, "~" or "null") into a block
 * mapping containing @key_path[@first] onwards. @key is NULL for an empty
 * document.
 */
static GString *
fill_empty_value (const YamlEdit     *edit,
                  yaml_node_t        *key,
                  yaml_node_t        *node,
                  const char * const *key_path,
                  guint               first,
                  guint               n_keys,
                  const char         *value)
{
  g_autofree char *lines = NULL;
  gsize remove_start = edit->length;
  gsize remove_end = edit->length;
  gsize insert_at = edit->length;
  guint indent = 0;

  if (node != NULL && !is_zero_width (node))
    {
      remove_start = mark_to_offset (edit, &node->start_mark);
      remove_end = mark_to_offset (edit, &node->end_mark);
      insert_at = skip_to_next_line (edit, remove_end);
    }
  else if (key != NULL)
    {
      remove_start = remove_end = mark_to_offset (edit, &key->end_mark);
      insert_at = skip_to_next_line (edit, remove_end);
    }

  if (key != NULL)
    indent = (guint) key->start_mark.column + edit->indent_step;

  lines = build_new_lines (edit, key_path, first, n_keys, indent, value);

  return apply_edit (edit, remove_start, remove_end, insert_at, lines, TRUE);
}

/* Parses @text again and checks that @key_path reads back as @value, so a
 * mistake in the edit is reported instead of saved.
 */
static gboolean
verify_edit (const GString      *text,
             const char         *path,
             const char * const *key_path,
             const char         *value,
             GError            **error)
{
  g_autoptr(ExitboxYamlDocument) document = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *key_path_text = join_key_path (key_path, g_strv_length ((char **) key_path));
  yaml_node_t *node;
  const char *found;

  document = exitbox_yaml_document_load_data (text->str, (gssize) text->len, path, &local_error);
  if (document == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Setting %s in %s would make the file invalid (%s), so it was not "
                     "changed. Edit the file by hand."),
                   key_path_text, path, local_error->message);
      return FALSE;
    }

  node = exitbox_yaml_document_get_root (document);
  for (guint i = 0; key_path[i] != NULL && node != NULL; i++)
    node = exitbox_yaml_mapping_lookup (document, node, key_path[i]);

  found = exitbox_yaml_node_get_scalar (node);
  if (found == NULL || strcmp (found, value) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Setting %s in %s did not give the value “%s” when read back, so the "
                     "file was not changed. Edit the file by hand."),
                   key_path_text, path, value);
      return FALSE;
    }

  return TRUE;
}

static GString *
edit_document (const YamlEdit     *edit,
               const char * const *key_path,
               guint               n_keys,
               const char         *value,
               GError            **error)
{
  yaml_node_t *node = exitbox_yaml_document_get_root (edit->document);
  yaml_node_t *key = NULL;

  for (guint i = 0; i < n_keys; i++)
    {
      g_autofree char *parent_path = join_key_path (key_path, i);
      g_autofree char *key_path_text = join_key_path (key_path, i + 1);
      yaml_node_t *child_key;
      yaml_node_t *child;

      if (node == NULL || exitbox_yaml_node_is_null (node))
        return fill_empty_value (edit, key, node, key_path, i, n_keys, value);

      if (node->type != YAML_MAPPING_NODE)
        {
          g_autofree char *location = exitbox_yaml_document_dup_location (edit->document, node);

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("%s: %s must be a mapping of keys such as “%s: …”, but it is %s. "
                         "Fix the file by hand."),
                       location, i > 0 ? parent_path : _("the document"), key_path[i],
                       exitbox_yaml_node_describe_type (node));
          return NULL;
        }

      if (!find_pair (edit->document, node, key_path[i], &child_key, &child))
        return insert_into_mapping (edit, node, key_path, i, n_keys, value, error);

      if (!check_not_alias (edit->document, child_key, child, key_path_text, error))
        return NULL;

      /* An empty value inside "{…}" has no line of its own to add to. */
      if (i + 1 < n_keys && exitbox_yaml_node_is_null (child) &&
          node->data.mapping.style == YAML_FLOW_MAPPING_STYLE)
        return insert_into_mapping (edit, node, key_path, i, n_keys, value, error);

      if (i + 1 == n_keys && child->type == YAML_SCALAR_NODE)
        return replace_scalar (edit, child_key, child, key_path_text, value, error);

      if (i + 1 == n_keys)
        {
          g_autofree char *location = exitbox_yaml_document_dup_location (edit->document, child);

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("%s: %s must be a single value, but it is %s. Fix the file by hand."),
                       location, key_path_text, exitbox_yaml_node_describe_type (child));
          return NULL;
        }

      key = child_key;
      node = child;
    }

  g_return_val_if_reached (NULL);
}

char *
exitbox_yaml_set_scalar (const char          *data,
                         gssize               length,
                         const char          *path_for_messages,
                         const char * const  *key_path,
                         const char          *value,
                         gsize               *out_length,
                         GError             **error)
{
  g_autoptr(ExitboxYamlDocument) document = NULL;
  g_autoptr(GString) result = NULL;
  YamlEdit edit = { 0 };
  guint n_keys;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (key_path != NULL && key_path[0] != NULL, NULL);
  g_return_val_if_fail (value != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  edit.data = data != NULL ? data : "";
  edit.length = length < 0 ? strlen (edit.data) : (gsize) length;

  document = exitbox_yaml_document_load_data (edit.data, (gssize) edit.length,
                                              path_for_messages, error);
  if (document == NULL)
    return NULL;

  /* libyaml also reads UTF-16, whose marks cannot be mapped back to bytes
   * here.
   */
  if (!g_utf8_validate (edit.data, (gssize) edit.length, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("%s is not UTF-8 text, which ExitBox needs to change it. Save it as "
                     "UTF-8."),
                   document->path);
      return NULL;
    }

  edit.document = document;
  edit.bom_length = g_str_has_prefix (edit.data, UTF8_BOM) ? strlen (UTF8_BOM) : 0;
  edit.line_ending = detect_line_ending (edit.data, edit.length);
  edit.indent_step = detect_indent_step (document);

  n_keys = g_strv_length ((char **) key_path);
  result = edit_document (&edit, key_path, n_keys, value, error);
  if (result == NULL)
    return NULL;

  if (!verify_edit (result, document->path, key_path, value, error))
    return NULL;

  if (out_length != NULL)
    *out_length = result->len;

  return g_string_free (g_steal_pointer (&result), FALSE);
}

/* List edits under a key of the root mapping. */

/* Like format_scalar(), but also writes "host:port" and IPv6 addresses
 * without quotes. New items always go into a block list, where a ":" reads
 * back as text unless a space or the end of the value follows it.
 */
static char *
format_list_item (const char *text)
{
  gsize length = strlen (text);

  if (length == 0 || !g_ascii_isalnum (text[0]) || text[length - 1] == ':')
    return format_scalar (text);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && strchr ("_.-/:", *p) == NULL)
        return format_scalar (text);
    }

  if (g_ascii_strcasecmp (text, "null") == 0)
    return format_scalar (text);

  return g_strdup (text);
}

/* Prepares @edit for @data, as exitbox_yaml_set_scalar() does. */
static ExitboxYamlDocument *
begin_edit (YamlEdit    *edit,
            const char  *data,
            gssize       length,
            const char  *path_for_messages,
            GError     **error)
{
  ExitboxYamlDocument *document;

  edit->data = data != NULL ? data : "";
  edit->length = length < 0 ? strlen (edit->data) : (gsize) length;

  document = exitbox_yaml_document_load_data (edit->data, (gssize) edit->length,
                                              path_for_messages, error);
  if (document == NULL)
    return NULL;

  if (!g_utf8_validate (edit->data, (gssize) edit->length, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("%s is not UTF-8 text, which ExitBox needs to change it. Save it as "
                     "UTF-8."),
                   document->path);
      exitbox_yaml_document_free (document);
      return NULL;
    }

  edit->document = document;
  edit->bom_length = g_str_has_prefix (edit->data, UTF8_BOM) ? strlen (UTF8_BOM) : 0;
  edit->line_ending = detect_line_ending (edit->data, edit->length);
  edit->indent_step = detect_indent_step (document);

  return document;
}

/* The offset of the start of the line containing @offset. */
static gsize
line_start (const YamlEdit *edit,
            gsize           offset)
{
  while (offset > 0 && edit->data[offset - 1] != '\n' && edit->data[offset - 1] != '\r')
    offset--;

  return offset;
}

/* Whether the text from the start of its line to @item is only indentation,
 * one "-" and spaces, so the item has its line to itself at the front. On
 * success, @out_prefix is that text, such as "  - ".
 */
static gboolean
get_item_prefix (const YamlEdit  *edit,
                 yaml_node_t     *item,
                 char           **out_prefix)
{
  gsize start = mark_to_offset (edit, &item->start_mark);
  gsize begin = line_start (edit, start);
  gsize i = begin;

  while (i < start && edit->data[i] == ' ')
    i++;
  if (i >= start || edit->data[i] != '-')
    return FALSE;
  i++;
  if (i >= start)
    return FALSE;
  while (i < start && edit->data[i] == ' ')
    i++;
  if (i != start)
    return FALSE;

  if (out_prefix != NULL)
    *out_prefix = g_strndup (edit->data + begin, start - begin);

  return TRUE;
}

/* The text in front of the first item of the first block list under a
 * key of the root mapping, such as "  - ", so new items match the file.
 * Without one, the key's column plus the file's indentation step and "- ".
 */
static char *
detect_item_prefix (const YamlEdit *edit,
                    guint           key_column)
{
  ExitboxYamlDocument *document = edit->document;
  yaml_node_t *root = exitbox_yaml_document_get_root (document);

  for (guint i = 0; root != NULL && i < exitbox_yaml_node_get_length (root); i++)
    {
      yaml_node_t *value;
      char *prefix = NULL;

      exitbox_yaml_mapping_get_pair (document, root, i, NULL, &value);
      if (value->type != YAML_SEQUENCE_NODE ||
          value->data.sequence.style == YAML_FLOW_SEQUENCE_STYLE ||
          exitbox_yaml_node_get_length (value) == 0)
        continue;

      if (get_item_prefix (edit, exitbox_yaml_sequence_get_item (document, value, 0), &prefix))
        return prefix;
    }

  return g_strdup_printf ("%*s- ", (int) (key_column + edit->indent_step), "");
}

/* Finds @key in the root mapping for a list edit, setting @out_key to NULL
 * when the key is missing. Fails when the root is not a mapping, is a flow
 * mapping, or maps @key to an alias.
 */
static gboolean
find_list_key (const YamlEdit  *edit,
               const char      *key,
               yaml_node_t    **out_key,
               yaml_node_t    **out_value,
               GError         **error)
{
  yaml_node_t *root = exitbox_yaml_document_get_root (edit->document);

  *out_key = NULL;
  *out_value = NULL;

  if (root == NULL || exitbox_yaml_node_is_null (root))
    return TRUE;

  if (root->type != YAML_MAPPING_NODE)
    {
      g_autofree char *location = exitbox_yaml_document_dup_location (edit->document, root);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s: the document must be a mapping of keys such as “%s: …”, but it "
                     "is %s. Fix the file by hand."),
                   location, key, exitbox_yaml_node_describe_type (root));
      return FALSE;
    }

  /* Items inside "{…}" have no lines of their own to add or remove. */
  if (root->data.mapping.style == YAML_FLOW_MAPPING_STYLE)
    {
      g_autofree char *location = exitbox_yaml_document_dup_location (edit->document, root);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("%s: the document is written in flow style (“{key: value}”), and "
                     "ExitBox edits lists only in mappings with one key per line. Rewrite it "
                     "with one key per line, or change “%s” by hand."),
                   location, key);
      return FALSE;
    }

  if (find_pair (edit->document, root, key, out_key, out_value))
    return check_not_alias (edit->document, *out_key, *out_value, key, error);

  return TRUE;
}

/* Adds "KEY:" and the item as new lines after the last pair of the root
 * mapping, or at the end of a document without one.
 */
static GString *
append_new_key (const YamlEdit *edit,
                const char     *key,
                const char     *value)
{
  yaml_node_t *root = exitbox_yaml_document_get_root (edit->document);
  g_autofree char *formatted_key = format_scalar (key);
  g_autofree char *formatted_value = format_list_item (value);
  g_autofree char *prefix = detect_item_prefix (edit, 0);
  g_autofree char *lines = NULL;
  gsize insert_at = edit->length;

  if (root != NULL && root->type == YAML_MAPPING_NODE && exitbox_yaml_node_get_length (root) > 0)
    {
      yaml_mark_t end_mark = { 0 };
      gsize end;

      end_mark.index = content_end_index (edit->document, root);
      end = mark_to_offset (edit, &end_mark);
      insert_at = end > 0 && edit->data[end - 1] == '\n' ? end : skip_to_next_line (edit, end);
    }
  else if (root != NULL && !is_zero_width (root))
    {
      /* A document that is only "~" or "null": the new key replaces it. */
      gsize start = mark_to_offset (edit, &root->start_mark);
      gsize end = mark_to_offset (edit, &root->end_mark);

      lines = g_strdup_printf ("%s:%s%s%s%s", formatted_key, edit->line_ending, prefix,
                               formatted_value, edit->line_ending);
      return apply_edit (edit, start, end, skip_to_next_line (edit, end), lines, TRUE);
    }

  lines = g_strdup_printf ("%s:%s%s%s%s", formatted_key, edit->line_ending, prefix,
                           formatted_value, edit->line_ending);

  return apply_edit (edit, insert_at, insert_at, insert_at, lines, TRUE);
}

static GString *
append_to_list (const YamlEdit  *edit,
                const char      *key,
                const char      *value,
                GError         **error)
{
  g_autofree char *formatted = format_list_item (value);
  g_autofree char *prefix = NULL;
  g_autofree char *line = NULL;
  yaml_node_t *key_node;
  yaml_node_t *node;
  gsize remove_start;
  gsize remove_end;
  gsize insert_at;

  if (!find_list_key (edit, key, &key_node, &node, error))
    return NULL;

  if (key_node == NULL)
    return append_new_key (edit, key, value);

  /* "key:", "key: ~" and "key: []" become a block list with one item. */
  if (exitbox_yaml_node_is_null (node) ||
      (node->type == YAML_SEQUENCE_NODE &&
       node->data.sequence.style == YAML_FLOW_SEQUENCE_STYLE &&
       exitbox_yaml_node_get_length (node) == 0))
    {
      prefix = detect_item_prefix (edit, (guint) key_node->start_mark.column);
      line = g_strconcat (prefix, formatted, edit->line_ending, NULL);

      if (is_zero_width (node))
        {
          remove_start = remove_end = mark_to_offset (edit, &key_node->end_mark);
        }
      else
        {
          remove_start = mark_to_offset (edit, &node->start_mark);
          remove_end = mark_to_offset (edit, &node->end_mark);

          /* Drop the spaces after the colon too, so no trailing space is left. */
          while (remove_start > 0 &&
                 (edit->data[remove_start - 1] == ' ' || edit->data[remove_start - 1] == '\t'))
            remove_start--;
        }

      insert_at = skip_to_next_line (edit, remove_end);
      return apply_edit (edit, remove_start, remove_end, insert_at, line, TRUE);
    }

  if (node->type == YAML_SEQUENCE_NODE && node->data.sequence.style == YAML_FLOW_SEQUENCE_STYLE)
    {
      g_autofree char *location = exitbox_yaml_document_dup_location (edit->document, node);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("%s: “%s” is written in flow style (“[a, b]”), and ExitBox adds items "
                     "only to lists with one item per line. Rewrite it as lines such as "
                     "“  - %s”, or add “%s” inside the brackets by hand."),
                   location, key, formatted, formatted);
      return NULL;
    }

  if (node->type != YAML_SEQUENCE_NODE)
    {
      g_autofree char *location = exitbox_yaml_document_dup_location (edit->document, node);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s: “%s” must be a list of items such as “- %s”, but it is %s. Fix the "
                     "file by hand."),
                   location, key, formatted, exitbox_yaml_node_describe_type (node));
      return NULL;
    }

  /* A block list: one more line after its last item, written like its
   * first item.
   */
  if (!get_item_prefix (edit, exitbox_yaml_sequence_get_item (edit->document, node, 0), &prefix))
    prefix = detect_item_prefix (edit, (guint) key_node->start_mark.column);

  {
    yaml_mark_t end_mark = { 0 };
    gsize end;

    end_mark.index = content_end_index (edit->document, node);
    end = mark_to_offset (edit, &end_mark);
    insert_at = end > 0 && edit->data[end - 1] == '\n' ? end : skip_to_next_line (edit, end);
  }

  line = g_strconcat (prefix, formatted, edit->line_ending, NULL);
  return apply_edit (edit, insert_at, insert_at, insert_at, line, TRUE);
}

/* Parses @text again and finds the list under @key. Fails with an error
 * naming @key and @path when @text is no longer valid YAML.
 */
static ExitboxYamlDocument *
reload_for_check (const GString  *text,
                  const char     *path,
                  const char     *key,
                  yaml_node_t   **out_list,
                  GError        **error)
{
  g_autoptr(ExitboxYamlDocument) document = NULL;
  g_autoptr(GError) local_error = NULL;

  document = exitbox_yaml_document_load_data (text->str, (gssize) text->len, path, &local_error);
  if (document == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Changing the list “%s” in %s would make the file invalid (%s), so it "
                     "was not changed. Edit the file by hand."),
                   key, path, local_error->message);
      return NULL;
    }

  *out_list = exitbox_yaml_mapping_lookup (document, exitbox_yaml_document_get_root (document),
                                           key);
  return g_steal_pointer (&document);
}

static gboolean
is_matching_item (yaml_node_t *item,
                  const char  *value)
{
  const char *text = exitbox_yaml_node_get_scalar (item);

  return text != NULL && strcmp (text, value) == 0;
}

char *
exitbox_yaml_append_sequence_item (const char  *data,
                                   gssize       length,
                                   const char  *path_for_messages,
                                   const char  *key,
                                   const char  *value,
                                   gsize       *out_length,
                                   GError     **error)
{
  g_autoptr(ExitboxYamlDocument) document = NULL;
  g_autoptr(ExitboxYamlDocument) check = NULL;
  g_autoptr(GString) result = NULL;
  YamlEdit edit = { 0 };
  yaml_node_t *key_node;
  yaml_node_t *old_list;
  yaml_node_t *new_list;
  guint old_length = 0;
  guint new_length;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (value != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  document = begin_edit (&edit, data, length, path_for_messages, error);
  if (document == NULL)
    return NULL;

  if (!find_list_key (&edit, key, &key_node, &old_list, error))
    return NULL;
  if (old_list != NULL && old_list->type == YAML_SEQUENCE_NODE)
    old_length = exitbox_yaml_node_get_length (old_list);

  result = append_to_list (&edit, key, value, error);
  if (result == NULL)
    return NULL;

  /* The list must now be a block list with the new item last. */
  check = reload_for_check (result, document->path, key, &new_list, error);
  if (check == NULL)
    return NULL;

  new_length = exitbox_yaml_node_get_length (new_list);
  if (new_list == NULL || new_list->type != YAML_SEQUENCE_NODE || new_length != old_length + 1 ||
      !is_matching_item (exitbox_yaml_sequence_get_item (check, new_list, new_length - 1), value))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Adding “%s” to the list “%s” in %s did not give that item when read "
                     "back, so the file was not changed. Edit the file by hand."),
                   value, key, document->path);
      return NULL;
    }

  if (out_length != NULL)
    *out_length = result->len;

  return g_string_free (g_steal_pointer (&result), FALSE);
}

/* Returns @count spaces. */
static char *
dup_spaces (guint count)
{
  return g_strnfill (count, ' ');
}

/* The text edit of exitbox_yaml_append_nested_sequence_item(), before the
 * check by parsing again.
 */
static GString *
append_to_nested_list (const YamlEdit  *edit,
                       const char      *parent_key,
                       const char      *key,
                       const char      *value,
                       GError         **error)
{
  ExitboxYamlDocument *document = edit->document;
  yaml_node_t *root = exitbox_yaml_document_get_root (document);
  g_autofree char *key_path_text = g_strconcat (parent_key, ".", key, NULL);
  g_autofree char *formatted = format_list_item (value);
  g_autofree char *formatted_key = format_scalar (key);
  g_autofree char *indent = NULL;
  g_autofree char *item_indent = NULL;
  g_autofree char *lines = NULL;
  yaml_node_t *parent_key_node = NULL;
  yaml_node_t *parent = NULL;
  yaml_node_t *key_node = NULL;
  yaml_node_t *node = NULL;
  yaml_mark_t end_mark = { 0 };
  guint key_column;
  gsize insert_at;
  gsize end;

  /* A missing parent is added with the key and the item, like a new key of
   * the root mapping.
   */
  if (!find_list_key (edit, parent_key, &parent_key_node, &parent, error))
    return NULL;

  if (parent_key_node == NULL)
    {
      g_autofree char *formatted_parent = format_scalar (parent_key);

      indent = dup_spaces (edit->indent_step);
      item_indent = dup_spaces (2 * edit->indent_step);
      lines = g_strdup_printf ("%s:%s%s%s:%s%s- %s%s", formatted_parent, edit->line_ending,
                               indent, formatted_key, edit->line_ending, item_indent, formatted,
                               edit->line_ending);
      if (root != NULL && root->type == YAML_MAPPING_NODE && exitbox_yaml_node_get_length (root) > 0)
        {
          end_mark.index = content_end_index (document, root);
          end = mark_to_offset (edit, &end_mark);
          insert_at = end > 0 && edit->data[end - 1] == '\n' ? end : skip_to_next_line (edit, end);
        }
      else
        insert_at = edit->length;

      return apply_edit (edit, insert_at, insert_at, insert_at, lines, TRUE);
    }

  if (parent->type != YAML_MAPPING_NODE || parent->data.mapping.style == YAML_FLOW_MAPPING_STYLE ||
      exitbox_yaml_node_get_length (parent) == 0)
    {
      g_autofree char *location = exitbox_yaml_document_dup_location (document, parent);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("%s: ExitBox adds to %s only when “%s” is a mapping with one key per "
                     "line. Write it as “%s:” followed by “  %s:” and the item “    - %s”, "
                     "or edit the file by hand."),
                   location, key_path_text, parent_key, parent_key, key, formatted);
      return NULL;
    }

  {
    yaml_node_t *first_key;

    exitbox_yaml_mapping_get_pair (document, parent, 0, &first_key, NULL);
    key_column = (guint) first_key->start_mark.column;
  }

  /* A missing key goes after the last pair of the parent mapping. */
  if (!find_pair (document, parent, key, &key_node, &node))
    {
      indent = dup_spaces (key_column);
      item_indent = dup_spaces (key_column + edit->indent_step);
      lines = g_strdup_printf ("%s%s:%s%s- %s%s", indent, formatted_key, edit->line_ending,
                               item_indent, formatted, edit->line_ending);
      end_mark.index = content_end_index (document, parent);
      end = mark_to_offset (edit, &end_mark);
      insert_at = end > 0 && edit->data[end - 1] == '\n' ? end : skip_to_next_line (edit, end);
      return apply_edit (edit, insert_at, insert_at, insert_at, lines, TRUE);
    }

  if (!check_not_alias (document, key_node, node, key_path_text, error))
    return NULL;

  key_column = (guint) key_node->start_mark.column;

  /* "key:", "key: ~" and "key: []" become a block list with one item. */
  if (exitbox_yaml_node_is_null (node) ||
      (node->type == YAML_SEQUENCE_NODE &&
       node->data.sequence.style == YAML_FLOW_SEQUENCE_STYLE &&
       exitbox_yaml_node_get_length (node) == 0))
    {
      gsize remove_start;
      gsize remove_end;

      item_indent = dup_spaces (key_column + edit->indent_step);
      lines = g_strdup_printf ("%s- %s%s", item_indent, formatted, edit->line_ending);

      if (is_zero_width (node))
        remove_start = remove_end = mark_to_offset (edit, &key_node->end_mark);
      else
        {
          remove_start = mark_to_offset (edit, &node->start_mark);
          remove_end = mark_to_offset (edit, &node->end_mark);
          while (remove_start > 0 &&
                 (edit->data[remove_start - 1] == ' ' || edit->data[remove_start - 1] == '\t'))
            remove_start--;
        }

      insert_at = skip_to_next_line (edit, remove_end);
      return apply_edit (edit, remove_start, remove_end, insert_at, lines, TRUE);
    }

  if (node->type != YAML_SEQUENCE_NODE || node->data.sequence.style == YAML_FLOW_SEQUENCE_STYLE)
    {
      g_autofree char *location = exitbox_yaml_document_dup_location (document, node);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("%s: ExitBox adds to %s only when it is empty or a list with one item "
                     "per line, but it is %s. Add “%s” by hand."),
                   location, key_path_text, exitbox_yaml_node_describe_type (node), formatted);
      return NULL;
    }

  /* A block list: one more line after its last item, written like its
   * first item.
   */
  {
    g_autofree char *prefix = NULL;

    if (!get_item_prefix (edit, exitbox_yaml_sequence_get_item (document, node, 0), &prefix))
      {
        item_indent = dup_spaces (key_column + edit->indent_step);
        prefix = g_strconcat (item_indent, "- ", NULL);
      }

    end_mark.index = content_end_index (document, node);
    end = mark_to_offset (edit, &end_mark);
    insert_at = end > 0 && edit->data[end - 1] == '\n' ? end : skip_to_next_line (edit, end);
    lines = g_strconcat (prefix, formatted, edit->line_ending, NULL);
  }

  return apply_edit (edit, insert_at, insert_at, insert_at, lines, TRUE);
}

static yaml_node_t *
lookup_nested (ExitboxYamlDocument *document,
               const char          *parent_key,
               const char          *key)
{
  yaml_node_t *parent = exitbox_yaml_mapping_lookup (document,
                                                     exitbox_yaml_document_get_root (document),
                                                     parent_key);

  if (parent == NULL || parent->type != YAML_MAPPING_NODE)
    return NULL;

  return exitbox_yaml_mapping_lookup (document, parent, key);
}

char *
exitbox_yaml_append_nested_sequence_item (const char  *data,
                                          gssize       length,
                                          const char  *path_for_messages,
                                          const char  *parent_key,
                                          const char  *key,
                                          const char  *value,
                                          gsize       *out_length,
                                          GError     **error)
{
  g_autoptr(ExitboxYamlDocument) document = NULL;
  g_autoptr(ExitboxYamlDocument) check = NULL;
  g_autoptr(GString) result = NULL;
  g_autoptr(GError) local_error = NULL;
  YamlEdit edit = { 0 };
  yaml_node_t *old_list;
  yaml_node_t *new_list;
  guint old_length = 0;
  guint new_length = 0;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (parent_key != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (value != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  document = begin_edit (&edit, data, length, path_for_messages, error);
  if (document == NULL)
    return NULL;

  old_list = lookup_nested (document, parent_key, key);
  if (old_list != NULL && old_list->type == YAML_SEQUENCE_NODE)
    old_length = exitbox_yaml_node_get_length (old_list);

  result = append_to_nested_list (&edit, parent_key, key, value, error);
  if (result == NULL)
    return NULL;

  check = exitbox_yaml_document_load_data (result->str, (gssize) result->len, document->path,
                                           &local_error);
  if (check != NULL)
    {
      new_list = lookup_nested (check, parent_key, key);
      if (new_list != NULL && new_list->type == YAML_SEQUENCE_NODE)
        new_length = exitbox_yaml_node_get_length (new_list);
    }

  if (check == NULL || new_length != old_length + 1 ||
      !is_matching_item (exitbox_yaml_sequence_get_item (check, new_list, new_length - 1), value))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Adding “%s” to %s.%s in %s did not give that item when read back, so "
                     "the file was not changed. Edit the file by hand."),
                   value, parent_key, key, document->path);
      return NULL;
    }

  if (out_length != NULL)
    *out_length = result->len;

  return g_string_free (g_steal_pointer (&result), FALSE);
}

/* Returns the byte ranges of the lines of the items of @list equal to
 * @value, in file order, as pairs of offsets.
 */
static GArray *
find_item_lines (const YamlEdit  *edit,
                 yaml_node_t     *key_node,
                 const char      *key,
                 yaml_node_t     *list,
                 const char      *value,
                 GError         **error)
{
  g_autoptr(GArray) ranges = g_array_new (FALSE, FALSE, sizeof (gsize));

  for (guint i = 0; i < exitbox_yaml_node_get_length (list); i++)
    {
      yaml_node_t *item = exitbox_yaml_sequence_get_item (edit->document, list, i);
      g_autofree char *location = NULL;
      gsize start;
      gsize end;

      if (!is_matching_item (item, value))
        continue;

      location = exitbox_yaml_document_dup_location (edit->document, item);

      /* An alias item ("*name") shares the marks of the anchored node,
       * which lies before the key, so its own line is unknown.
       */
      if (item->start_mark.index < key_node->end_mark.index ||
          item->start_mark.line != item->end_mark.line ||
          item->data.scalar.style == YAML_LITERAL_SCALAR_STYLE ||
          item->data.scalar.style == YAML_FOLDED_SCALAR_STYLE ||
          !get_item_prefix (edit, item, NULL))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       _("%s: the item “%s” of “%s” does not have a line of its own, so "
                         "ExitBox cannot remove it. Delete it from the file by hand."),
                       location, value, key);
          return NULL;
        }

      start = line_start (edit, mark_to_offset (edit, &item->start_mark));
      end = skip_to_next_line (edit, mark_to_offset (edit, &item->end_mark));
      g_array_append_val (ranges, start);
      g_array_append_val (ranges, end);
    }

  return g_steal_pointer (&ranges);
}

char *
exitbox_yaml_remove_sequence_item (const char  *data,
                                   gssize       length,
                                   const char  *path_for_messages,
                                   const char  *key,
                                   const char  *value,
                                   gsize       *out_length,
                                   GError     **error)
{
  g_autoptr(ExitboxYamlDocument) document = NULL;
  g_autoptr(ExitboxYamlDocument) check = NULL;
  g_autoptr(GString) result = NULL;
  g_autoptr(GArray) ranges = NULL;
  YamlEdit edit = { 0 };
  yaml_node_t *key_node;
  yaml_node_t *list;
  yaml_node_t *new_list;
  gsize copied = 0;
  guint n_removed;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (value != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  document = begin_edit (&edit, data, length, path_for_messages, error);
  if (document == NULL)
    return NULL;

  if (!find_list_key (&edit, key, &key_node, &list, error))
    return NULL;

  if (list != NULL && list->type == YAML_SEQUENCE_NODE &&
      list->data.sequence.style == YAML_FLOW_SEQUENCE_STYLE)
    {
      g_autofree char *location = exitbox_yaml_document_dup_location (edit.document, list);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("%s: “%s” is written in flow style (“[a, b]”), and ExitBox removes "
                     "items only from lists with one item per line. Remove “%s” inside the "
                     "brackets by hand."),
                   location, key, value);
      return NULL;
    }

  if (list == NULL || list->type != YAML_SEQUENCE_NODE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("%s has no list “%s” containing “%s”."), document->path, key, value);
      return NULL;
    }

  ranges = find_item_lines (&edit, key_node, key, list, value, error);
  if (ranges == NULL)
    return NULL;

  n_removed = ranges->len / 2;
  if (n_removed == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("The list “%s” in %s does not contain “%s”."), key, document->path, value);
      return NULL;
    }

  result = g_string_sized_new (edit.length);
  for (guint i = 0; i < ranges->len; i += 2)
    {
      gsize start = g_array_index (ranges, gsize, i);
      gsize end = g_array_index (ranges, gsize, i + 1);

      g_string_append_len (result, edit.data + copied, (gssize) (start - copied));
      copied = end;
    }
  g_string_append_len (result, edit.data + copied, (gssize) (edit.length - copied));

  /* The list must have lost exactly those items, and may now be empty. */
  check = reload_for_check (result, document->path, key, &new_list, error);
  if (check == NULL)
    return NULL;

  {
    guint old_length = exitbox_yaml_node_get_length (list);
    gboolean still_there = FALSE;
    gboolean same_key = find_pair (check, exitbox_yaml_document_get_root (check), key,
                                   &key_node, &new_list);

    for (guint i = 0; same_key && i < exitbox_yaml_node_get_length (new_list); i++)
      {
        if (new_list->type == YAML_SEQUENCE_NODE &&
            is_matching_item (exitbox_yaml_sequence_get_item (check, new_list, i), value))
          still_there = TRUE;
      }

    if (!same_key || still_there ||
        exitbox_yaml_node_get_length (new_list) != old_length - n_removed ||
        (new_list->type != YAML_SEQUENCE_NODE && !exitbox_yaml_node_is_null (new_list)))
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                     _("Removing “%s” from the list “%s” in %s did not give the expected "
                       "list when read back, so the file was not changed. Edit the file by "
                       "hand."),
                     value, key, document->path);
        return NULL;
      }
  }

  if (out_length != NULL)
    *out_length = result->len;

  return g_string_free (g_steal_pointer (&result), FALSE);
}

char *
exitbox_yaml_replace_flow_sequence (const char          *data,
                                    gssize               length,
                                    const char          *path_for_messages,
                                    const char          *key,
                                    const char * const  *items,
                                    gsize               *out_length,
                                    GError             **error)
{
  g_autoptr(ExitboxYamlDocument) document = NULL;
  g_autoptr(ExitboxYamlDocument) check = NULL;
  g_autoptr(GString) text = g_string_new ("[");
  g_autoptr(GString) result = NULL;
  YamlEdit edit = { 0 };
  yaml_node_t *key_node;
  yaml_node_t *node;
  yaml_node_t *new_list;
  guint n_items;
  gsize start;
  gsize end;
  gboolean same;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (items != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  document = begin_edit (&edit, data, length, path_for_messages, error);
  if (document == NULL)
    return NULL;

  if (!find_list_key (&edit, key, &key_node, &node, error))
    return NULL;

  if (node == NULL || node->type != YAML_SEQUENCE_NODE ||
      node->data.sequence.style != YAML_FLOW_SEQUENCE_STYLE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” in %s is not a list written as “[a, b]”."), key, document->path);
      return NULL;
    }

  n_items = g_strv_length ((char **) items);
  for (guint i = 0; i < n_items; i++)
    {
      g_autofree char *formatted = format_scalar (items[i]);

      g_string_append_printf (text, "%s%s", i > 0 ? ", " : "", formatted);
    }
  g_string_append_c (text, ']');

  start = mark_to_offset (&edit, &node->start_mark);
  end = mark_to_offset (&edit, &node->end_mark);
  result = g_string_new_len (edit.data, (gssize) start);
  g_string_append (result, text->str);
  g_string_append_len (result, edit.data + end, (gssize) (edit.length - end));

  /* The list must read back as exactly @items. */
  check = reload_for_check (result, document->path, key, &new_list, error);
  if (check == NULL)
    return NULL;

  same = new_list != NULL && new_list->type == YAML_SEQUENCE_NODE &&
         exitbox_yaml_node_get_length (new_list) == n_items;
  for (guint i = 0; same && i < n_items; i++)
    same = is_matching_item (exitbox_yaml_sequence_get_item (check, new_list, i), items[i]);

  if (!same)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Rewriting the list “%s” in %s did not give the expected items when read "
                     "back, so the file was not changed. Edit the file by hand."),
                   key, document->path);
      return NULL;
    }

  if (out_length != NULL)
    *out_length = result->len;

  return g_string_free (g_steal_pointer (&result), FALSE);
}
