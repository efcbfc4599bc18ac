/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "exitbox-inspection.h"

/* Images, containers and networks read from `inspect` output.
 *
 * Every member is read defensively: a member with an unexpected JSON type is
 * treated as absent, and an object that cannot be classified is skipped, so
 * output from another engine version degrades to "not found" instead of a
 * crash. Images and containers share Docker's schema on both engines (podman
 * copies it); networks differ, so each engine has its own network reader.
 */

typedef struct
{
  char       *id;
  GPtrArray  *names;   /* normalized references, see normalize_image_name() */
  GHashTable *labels;  /* label name → value */
} ImageEntry;

typedef struct
{
  char     *name;
  char     *id;
  char     *subnet;   /* first IPv4 subnet in CIDR form */
  char     *gateway;
  gboolean  internal;
  gboolean  dns_enabled;  /* the engine serves DNS to containers on it */
} NetworkEntry;

typedef struct
{
  char *address;
  char *gateway;
  char *subnet;       /* computed from address and prefix length */
} AttachmentEntry;

typedef struct
{
  char       *name;
  char       *id;
  char       *image_id;
  gboolean    running;
  GHashTable *attachments;  /* network name → AttachmentEntry */
  GHashTable *labels;
} ContainerEntry;

struct _ExitboxInspection
{
  GObject     parent_instance;

  GPtrArray  *images;      /* ImageEntry */
  GHashTable *networks;    /* name → NetworkEntry */
  GHashTable *containers;  /* name → ContainerEntry */
};

G_DEFINE_FINAL_TYPE (ExitboxInspection, exitbox_inspection, G_TYPE_OBJECT)

static void
image_entry_free (ImageEntry *entry)
{
  g_free (entry->id);
  g_clear_pointer (&entry->names, g_ptr_array_unref);
  g_clear_pointer (&entry->labels, g_hash_table_unref);
  g_free (entry);
}

static void
network_entry_free (NetworkEntry *entry)
{
  g_free (entry->name);
  g_free (entry->id);
  g_free (entry->subnet);
  g_free (entry->gateway);
  g_free (entry);
}

static void
attachment_entry_free (AttachmentEntry *entry)
{
  g_free (entry->address);
  g_free (entry->gateway);
  g_free (entry->subnet);
  g_free (entry);
}

static void
container_entry_free (ContainerEntry *entry)
{
  g_free (entry->name);
  g_free (entry->id);
  g_free (entry->image_id);
  g_clear_pointer (&entry->attachments, g_hash_table_unref);
  g_clear_pointer (&entry->labels, g_hash_table_unref);
  g_free (entry);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImageEntry, image_entry_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NetworkEntry, network_entry_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ContainerEntry, container_entry_free)

/* Defensive member readers: each returns NULL (or FALSE) unless the member
 * exists and has the expected JSON type.
 */

static const char *
read_string (JsonObject *object,
             const char *member)
{
  JsonNode *node;

  if (object == NULL)
    return NULL;

  node = json_object_get_member (object, member);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  if (json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/* Like read_string(), but an empty string counts as absent: engines print ""
 * for an address or gateway that is not assigned.
 */
static const char *
read_nonempty_string (JsonObject *object,
                      const char *member)
{
  const char *value = read_string (object, member);

  return (value != NULL && *value != '\0') ? value : NULL;
}

static gboolean
read_boolean (JsonObject *object,
              const char *member)
{
  JsonNode *node;

  if (object == NULL)
    return FALSE;

  node = json_object_get_member (object, member);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return FALSE;

  return json_node_get_boolean (node);
}

static gboolean
read_int (JsonObject *object,
          const char *member,
          gint64     *out_value)
{
  JsonNode *node;

  if (object == NULL)
    return FALSE;

  node = json_object_get_member (object, member);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;

  *out_value = json_node_get_int (node);
  return TRUE;
}

static JsonObject *
read_object (JsonObject *object,
             const char *member)
{
  JsonNode *node;

  if (object == NULL)
    return NULL;

  node = json_object_get_member (object, member);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  return json_node_get_object (node);
}

static JsonArray *
read_array (JsonObject *object,
            const char *member)
{
  JsonNode *node;

  if (object == NULL)
    return NULL;

  node = json_object_get_member (object, member);
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;

  return json_node_get_array (node);
}

static JsonObject *
array_get_object (JsonArray *array,
                  guint      index)
{
  JsonNode *node = json_array_get_element (array, index);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  return json_node_get_object (node);
}

static const char *
array_get_string (JsonArray *array,
                  guint      index)
{
  JsonNode *node = json_array_get_element (array, index);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  if (json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/* Reduces an image reference to one spelling so that "exitbox-base",
 * "exitbox-base:latest", "localhost/exitbox-base:latest" and
 * "docker.io/library/exitbox-base:latest" compare equal. Podman stores a
 * locally built image under "localhost/", docker under the bare name.
 */
static char *
normalize_image_name (const char *name)
{
  static const char * const implicit_prefixes[] = {
    "docker.io/library/", "docker.io/", "localhost/", "library/",
  };
  const char *rest = name;
  const char *last_slash;
  const char *tag_start;

  for (guint i = 0; i < G_N_ELEMENTS (implicit_prefixes); i++)
    {
      if (g_str_has_prefix (rest, implicit_prefixes[i]))
        {
          rest += strlen (implicit_prefixes[i]);
          break;
        }
    }

  /* A digest reference names one exact image: no tag is implied. */
  if (strchr (rest, '@') != NULL)
    return g_strdup (rest);

  /* The tag is after the last '/', which keeps "host:5000/name" intact. */
  last_slash = strrchr (rest, '/');
  tag_start = strchr (last_slash != NULL ? last_slash : rest, ':');
  if (tag_start == NULL)
    return g_strconcat (rest, ":latest", NULL);

  return g_strdup (rest);
}

static const char *
skip_digest_prefix (const char *id)
{
  return g_str_has_prefix (id, "sha256:") ? id + strlen ("sha256:") : id;
}

/* Matches a full ID, with or without "sha256:", or a hexadecimal prefix of at
 * least 12 characters (the short form both engines print).
 */
static gboolean
id_matches (const char *id,
            const char *query)
{
  const char *bare_id;
  const char *bare_query;
  gsize query_length;

  if (id == NULL || query == NULL)
    return FALSE;

  bare_id = skip_digest_prefix (id);
  bare_query = skip_digest_prefix (query);
  if (g_strcmp0 (bare_id, bare_query) == 0)
    return TRUE;

  query_length = strlen (bare_query);
  if (query_length < 12)
    return FALSE;
  for (gsize i = 0; i < query_length; i++)
    {
      if (!g_ascii_isxdigit (bare_query[i]))
        return FALSE;
    }

  return g_str_has_prefix (bare_id, bare_query);
}

static gboolean
is_ipv4_text (const char *text)
{
  return text != NULL && strchr (text, '.') != NULL && strchr (text, ':') == NULL;
}

/* "10.89.1.2" with prefix length 24 becomes "10.89.1.0/24". */
static char *
compute_ipv4_subnet (const char *address,
                     gint64      prefix_length)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GInetAddress) network = NULL;
  const guint8 *bytes;
  guint8 masked[4];
  guint32 value;
  guint32 netmask;
  g_autofree char *network_text = NULL;

  if (!is_ipv4_text (address) || prefix_length < 0 || prefix_length > 32)
    return NULL;

  inet = g_inet_address_new_from_string (address);
  if (inet == NULL || g_inet_address_get_family (inet) != G_SOCKET_FAMILY_IPV4)
    return NULL;

  bytes = g_inet_address_to_bytes (inet);
  value = ((guint32) bytes[0] << 24) | ((guint32) bytes[1] << 16)
          | ((guint32) bytes[2] << 8) | (guint32) bytes[3];
  netmask = prefix_length == 0 ? 0 : G_MAXUINT32 << (32 - prefix_length);
  value &= netmask;
  masked[0] = (value >> 24) & 0xff;
  masked[1] = (value >> 16) & 0xff;
  masked[2] = (value >> 8) & 0xff;
  masked[3] = value & 0xff;

  network = g_inet_address_new_from_bytes (masked, G_SOCKET_FAMILY_IPV4);
  network_text = g_inet_address_to_string (network);

  return g_strdup_printf ("%s/%" G_GINT64_FORMAT, network_text, prefix_length);
}

/* Both engines put labels in Config.Labels; podman also repeats an image's
 * labels at the top level. Config.Labels wins when both name the same label.
 */
static void
read_labels (JsonObject *object,
             GHashTable *labels)
{
  JsonObject *label_sources[2];

  label_sources[0] = read_object (read_object (object, "Config"), "Labels");
  label_sources[1] = read_object (object, "Labels");
  for (guint s = 0; s < G_N_ELEMENTS (label_sources); s++)
    {
      JsonObjectIter iter;
      const char *label;
      JsonNode *value;

      if (label_sources[s] == NULL)
        continue;

      json_object_iter_init (&iter, label_sources[s]);
      while (json_object_iter_next (&iter, &label, &value))
        {
          if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
            continue;
          if (g_hash_table_contains (labels, label))
            continue;
          g_hash_table_insert (labels, g_strdup (label), g_strdup (json_node_get_string (value)));
        }
    }
}

static ImageEntry *
read_image (JsonObject *object)
{
  g_autoptr(ImageEntry) entry = g_new0 (ImageEntry, 1);
  const char *id = read_string (object, "Id");
  JsonArray *tags = read_array (object, "RepoTags");

  if (id == NULL)
    return NULL;

  entry->id = g_strdup (id);
  entry->names = g_ptr_array_new_with_free_func (g_free);
  entry->labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; tags != NULL && i < json_array_get_length (tags); i++)
    {
      const char *tag = array_get_string (tags, i);

      if (tag != NULL && *tag != '\0')
        g_ptr_array_add (entry->names, normalize_image_name (tag));
    }

  read_labels (object, entry->labels);

  return g_steal_pointer (&entry);
}

static ContainerEntry *
read_container (JsonObject *object)
{
  g_autoptr(ContainerEntry) entry = g_new0 (ContainerEntry, 1);
  const char *name = read_string (object, "Name");
  const char *id = read_string (object, "Id");
  JsonObject *networks;
  JsonObjectIter iter;
  const char *network_name;
  JsonNode *network_node;

  if (name == NULL || id == NULL)
    return NULL;

  /* Docker prints container names with a leading '/'. */
  if (name[0] == '/')
    name++;
  if (*name == '\0')
    return NULL;

  entry->name = g_strdup (name);
  entry->id = g_strdup (id);
  entry->image_id = g_strdup (read_nonempty_string (object, "Image"));
  entry->running = read_boolean (read_object (object, "State"), "Running");
  entry->attachments = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) attachment_entry_free);
  entry->labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  read_labels (object, entry->labels);

  networks = read_object (read_object (object, "NetworkSettings"), "Networks");
  if (networks == NULL)
    return g_steal_pointer (&entry);

  json_object_iter_init (&iter, networks);
  while (json_object_iter_next (&iter, &network_name, &network_node))
    {
      JsonObject *settings;
      AttachmentEntry *attachment;
      gint64 prefix_length;

      if (!JSON_NODE_HOLDS_OBJECT (network_node))
        continue;

      settings = json_node_get_object (network_node);
      attachment = g_new0 (AttachmentEntry, 1);
      attachment->address = g_strdup (read_nonempty_string (settings, "IPAddress"));
      attachment->gateway = g_strdup (read_nonempty_string (settings, "Gateway"));
      if (attachment->address != NULL && read_int (settings, "IPPrefixLen", &prefix_length))
        attachment->subnet = compute_ipv4_subnet (attachment->address, prefix_length);

      g_hash_table_replace (entry->attachments, g_strdup (network_name), attachment);
    }

  return g_steal_pointer (&entry);
}

/* Takes the first IPv4 entry of a subnet list; both engines list IPv6
 * subnets in the same array when IPv6 is enabled.
 */
static void
read_first_ipv4_subnet (NetworkEntry *entry,
                        JsonArray    *subnets,
                        const char   *subnet_member,
                        const char   *gateway_member)
{
  for (guint i = 0; subnets != NULL && i < json_array_get_length (subnets); i++)
    {
      JsonObject *config = array_get_object (subnets, i);
      const char *subnet = read_nonempty_string (config, subnet_member);

      if (!is_ipv4_text (subnet))
        continue;

      entry->subnet = g_strdup (subnet);
      entry->gateway = g_strdup (read_nonempty_string (config, gateway_member));
      return;
    }
}

/* Podman 4 network: name, id, subnets[].subnet/.gateway, internal. */
static NetworkEntry *
read_podman_network (JsonObject *object)
{
  g_autoptr(NetworkEntry) entry = g_new0 (NetworkEntry, 1);
  const char *name = read_nonempty_string (object, "name");

  if (name == NULL)
    return NULL;

  entry->name = g_strdup (name);
  entry->id = g_strdup (read_string (object, "id"));
  entry->internal = read_boolean (object, "internal");
  entry->dns_enabled = read_boolean (object, "dns_enabled");
  read_first_ipv4_subnet (entry, read_array (object, "subnets"), "subnet", "gateway");

  return g_steal_pointer (&entry);
}

/* Docker network: Name, Id, IPAM.Config[].Subnet/.Gateway, Internal. */
static NetworkEntry *
read_docker_network (JsonObject *object)
{
  g_autoptr(NetworkEntry) entry = g_new0 (NetworkEntry, 1);
  const char *name = read_nonempty_string (object, "Name");

  if (name == NULL)
    return NULL;

  entry->name = g_strdup (name);
  entry->id = g_strdup (read_string (object, "Id"));
  entry->internal = read_boolean (object, "Internal");
  /* Docker's embedded DNS serves every user-defined network. */
  entry->dns_enabled = TRUE;
  read_first_ipv4_subnet (entry, read_array (read_object (object, "IPAM"), "Config"),
                          "Subnet", "Gateway");

  return g_steal_pointer (&entry);
}

typedef enum
{
  OBJECT_UNKNOWN,
  OBJECT_IMAGE,
  OBJECT_NETWORK,
  OBJECT_CONTAINER,
} ObjectType;

/* Podman's and docker's inspect objects carry no type member, so the type is
 * read from members only that type has.
 */
static ObjectType
classify_object (ExitboxEngineKind  kind,
                 JsonObject        *object)
{
  if (read_object (object, "State") != NULL)
    return OBJECT_CONTAINER;

  if (kind == EXITBOX_ENGINE_KIND_PODMAN)
    {
      if (json_object_has_member (object, "subnets")
          || json_object_has_member (object, "network_interface")
          || (read_string (object, "name") != NULL && json_object_has_member (object, "driver")))
        return OBJECT_NETWORK;
    }
  else if (json_object_has_member (object, "IPAM"))
    {
      return OBJECT_NETWORK;
    }

  if (json_object_has_member (object, "RepoTags") || json_object_has_member (object, "RootFS"))
    return OBJECT_IMAGE;

  return OBJECT_UNKNOWN;
}

static void
remove_image_with_id (ExitboxInspection *self,
                      const char        *id)
{
  for (guint i = 0; i < self->images->len; i++)
    {
      ImageEntry *entry = g_ptr_array_index (self->images, i);

      if (g_strcmp0 (entry->id, id) == 0)
        {
          g_ptr_array_remove_index (self->images, i);
          return;
        }
    }
}

static void
add_object (ExitboxInspection *self,
            ExitboxEngineKind  kind,
            JsonObject        *object)
{
  switch (classify_object (kind, object))
    {
    case OBJECT_IMAGE:
      {
        ImageEntry *image = read_image (object);

        if (image == NULL)
          break;
        remove_image_with_id (self, image->id);
        g_ptr_array_add (self->images, image);
        return;
      }

    case OBJECT_NETWORK:
      {
        NetworkEntry *network = kind == EXITBOX_ENGINE_KIND_PODMAN
                                ? read_podman_network (object)
                                : read_docker_network (object);

        if (network == NULL)
          break;
        g_hash_table_replace (self->networks, network->name, network);
        return;
      }

    case OBJECT_CONTAINER:
      {
        ContainerEntry *container = read_container (object);

        if (container == NULL)
          break;
        g_hash_table_replace (self->containers, container->name, container);
        return;
      }

    case OBJECT_UNKNOWN:
    default:
      break;
    }

  g_debug ("Skipping an inspect object that is not a usable image, network or container");
}

static void
add_node (ExitboxInspection *self,
          ExitboxEngineKind  kind,
          JsonNode          *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      add_object (self, kind, json_node_get_object (node));
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonObject *object = array_get_object (array, i);

          if (object != NULL)
            add_object (self, kind, object);
        }
    }
}

static gboolean
is_blank (const char *text)
{
  for (; *text != '\0'; text++)
    {
      if (!g_ascii_isspace (*text))
        return FALSE;
    }

  return TRUE;
}

/* Returns the end of the JSON array or object that @text starts with, or
 * NULL when @text does not start with one or it is not closed. Only strings
 * and brackets are tracked; json-glib validates the rest.
 */
static const char *
find_container_end (const char *text)
{
  const char *c = text;
  guint depth = 0;
  gboolean in_string = FALSE;

  while (g_ascii_isspace (*c))
    c++;
  if (*c != '[' && *c != '{')
    return NULL;

  for (; *c != '\0'; c++)
    {
      if (in_string)
        {
          if (*c == '\\' && c[1] != '\0')
            c++;
          else if (*c == '"')
            in_string = FALSE;
          continue;
        }

      if (*c == '"')
        in_string = TRUE;
      else if (*c == '[' || *c == '{')
        depth++;
      else if ((*c == ']' || *c == '}') && --depth == 0)
        return c + 1;
    }

  return NULL;
}

/* json-glib 1.6 reads the first value of "{…}\n{…}" and silently ignores the
 * rest, so a document is parsed only after checking that nothing follows it.
 */
static JsonNode *
parse_single_value (const char  *text,
                    GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *end = find_container_end (text);
  JsonNode *root;

  if (end != NULL && !is_blank (end))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("Unexpected text after the first JSON value"));
      return NULL;
    }

  if (!json_parser_load_from_data (parser, text, -1, error))
    return NULL;

  root = json_parser_get_root (parser);
  if (root == NULL || !(JSON_NODE_HOLDS_ARRAY (root) || JSON_NODE_HOLDS_OBJECT (root)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The JSON value is not an array or object"));
      return NULL;
    }

  return json_node_copy (root);
}

/* Parses @json into a list of top-level nodes without touching any
 * inspection, so a parse error leaves the caller's data as it was.
 */
static GPtrArray *
parse_document (ExitboxEngineKind   kind,
                const char         *json,
                GError            **error)
{
  g_autoptr(GPtrArray) nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) lines = NULL;
  const char *end;
  JsonNode *root;

  if (is_blank (json))
    return g_steal_pointer (&nodes);

  /* Podman always prints one JSON array, and docker does without --format. */
  end = find_container_end (json);
  if (kind == EXITBOX_ENGINE_KIND_PODMAN || end == NULL || is_blank (end))
    {
      root = parse_single_value (json, &local_error);
      if (root == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("The engine’s inspect output is not valid JSON: %s"),
                       local_error->message);
          return NULL;
        }

      g_ptr_array_add (nodes, root);
      return g_steal_pointer (&nodes);
    }

  /* Docker with --format '{{json .}}' prints one JSON document per line. */
  lines = g_strsplit (json, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (is_blank (lines[i]))
        continue;

      root = parse_single_value (lines[i], &local_error);
      if (root == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("Line %u of the engine’s inspect output is not valid JSON: %s"),
                       i + 1, local_error->message);
          return NULL;
        }

      g_ptr_array_add (nodes, root);
    }

  return g_steal_pointer (&nodes);
}

static void
exitbox_inspection_finalize (GObject *object)
{
  ExitboxInspection *self = EXITBOX_INSPECTION (object);

  g_clear_pointer (&self->images, g_ptr_array_unref);
  g_clear_pointer (&self->networks, g_hash_table_unref);
  g_clear_pointer (&self->containers, g_hash_table_unref);

  G_OBJECT_CLASS (exitbox_inspection_parent_class)->finalize (object);
}

static void
exitbox_inspection_class_init (ExitboxInspectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = exitbox_inspection_finalize;
}

static void
exitbox_inspection_init (ExitboxInspection *self)
{
  self->images = g_ptr_array_new_with_free_func ((GDestroyNotify) image_entry_free);
  /* The entries own their names, which serve as the keys. */
  self->networks = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                          (GDestroyNotify) network_entry_free);
  self->containers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                            (GDestroyNotify) container_entry_free);
}

ExitboxInspection *
exitbox_inspection_new_empty (void)
{
  return g_object_new (EXITBOX_TYPE_INSPECTION, NULL);
}

ExitboxInspection *
exitbox_inspection_new_from_json (ExitboxEngineKind   kind,
                                  const char         *json,
                                  GError            **error)
{
  g_autoptr(ExitboxInspection) self = NULL;

  g_return_val_if_fail (json != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = exitbox_inspection_new_empty ();
  if (!exitbox_inspection_add_json (self, kind, json, error))
    return NULL;

  return g_steal_pointer (&self);
}

gboolean
exitbox_inspection_add_json (ExitboxInspection  *self,
                             ExitboxEngineKind   kind,
                             const char         *json,
                             GError            **error)
{
  g_autoptr(GPtrArray) nodes = NULL;

  g_return_val_if_fail (EXITBOX_IS_INSPECTION (self), FALSE);
  g_return_val_if_fail (json != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  nodes = parse_document (kind, json, error);
  if (nodes == NULL)
    return FALSE;

  for (guint i = 0; i < nodes->len; i++)
    add_node (self, kind, g_ptr_array_index (nodes, i));

  return TRUE;
}

static ImageEntry *
lookup_image (ExitboxInspection *self,
              const char        *image)
{
  g_autofree char *normalized = NULL;

  if (image == NULL || *image == '\0')
    return NULL;

  normalized = normalize_image_name (image);
  for (guint i = 0; i < self->images->len; i++)
    {
      ImageEntry *entry = g_ptr_array_index (self->images, i);

      for (guint n = 0; n < entry->names->len; n++)
        {
          if (g_str_equal (g_ptr_array_index (entry->names, n), normalized))
            return entry;
        }
    }

  for (guint i = 0; i < self->images->len; i++)
    {
      ImageEntry *entry = g_ptr_array_index (self->images, i);

      if (id_matches (entry->id, image))
        return entry;
    }

  return NULL;
}

static NetworkEntry *
lookup_network (ExitboxInspection *self,
                const char        *network)
{
  GHashTableIter iter;
  NetworkEntry *entry;

  if (network == NULL)
    return NULL;

  entry = g_hash_table_lookup (self->networks, network);
  if (entry != NULL)
    return entry;

  g_hash_table_iter_init (&iter, self->networks);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    {
      if (id_matches (entry->id, network))
        return entry;
    }

  return NULL;
}

static ContainerEntry *
lookup_container (ExitboxInspection *self,
                  const char        *container)
{
  GHashTableIter iter;
  ContainerEntry *entry;

  if (container == NULL)
    return NULL;
  if (container[0] == '/')
    container++;

  entry = g_hash_table_lookup (self->containers, container);
  if (entry != NULL)
    return entry;

  g_hash_table_iter_init (&iter, self->containers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    {
      if (id_matches (entry->id, container))
        return entry;
    }

  return NULL;
}

static AttachmentEntry *
lookup_attachment (ExitboxInspection *self,
                   const char        *container,
                   const char        *network)
{
  ContainerEntry *entry = lookup_container (self, container);

  if (entry == NULL || network == NULL)
    return NULL;

  return g_hash_table_lookup (entry->attachments, network);
}

gboolean
exitbox_inspection_has_object (ExitboxInspection *self,
                               const char        *name)
{
  g_return_val_if_fail (EXITBOX_IS_INSPECTION (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  return lookup_container (self, name) != NULL
         || lookup_network (self, name) != NULL
         || lookup_image (self, name) != NULL;
}

gboolean
exitbox_inspection_has_image (ExitboxInspection *self,
                              const char        *image)
{
  g_return_val_if_fail (EXITBOX_IS_INSPECTION (self), FALSE);

  return lookup_image (self, image) != NULL;
}

const char *
exitbox_inspection_get_image_id (ExitboxInspection *self,
                                 const char        *image)
{
  ImageEntry *entry;

  g_return_val_if_fail (EXITBOX_IS_INSPECTION (self), NULL);

  entry = lookup_image (self, image);
  return entry != NULL ? entry->id : NULL;
}

const char *
exitbox_inspection_get_image_name (ExitboxInspection *self,
                                   const char        *image)
{
  ImageEntry *entry;

  g_return_val_if_fail (EXITBOX_IS_INSPECTION (self), NULL);

  entry = lookup_image (self, image);
  if (entry == NULL || entry->names->len == 0)
    return NULL;

  return g_ptr_array_index (entry->names, 0);
}

const char *
exitbox_inspection_get_image_label (ExitboxInspection *self,
                                    const char        *image,
                                    const char        *label)
{
  ImageEntry *entry;

  g_return_val_if_fail (EXITBOX_IS_INSPECTION (self), NULL);
  g_return_val_if_fail (label != NULL, NULL);

  entry = lookup_image (self, image);
  return entry != NULL ? g_hash_table_lookup (entry->labels, label) : NULL;
}

gboolean
exitbox_inspection_has_network (ExitboxInspection *self,
                                const char        *network)
{
  g_return_val_if_fail (EXITBOX_IS_INSPECTION (self), FALSE);

  return lookup_network (self, network) != NULL;
}

gboolean
exitbox_inspection_get_network_internal (ExitboxInspection *self,
                                         const char        *network)
{
  NetworkEntry *entry;

  g_return_val_if_fail (EXITBOX_IS_INSPECTION (self), FALSE);

  entry = lookup_network (self, network);
  return entry != NULL && entry->internal;
}

gboolean
exitbox_inspection_get_network_dns_enabled (ExitboxInspection *self,
                                            const char        *network)
{
  NetworkEntry *entry;

  g_return_val_if_fail (EXITBOX_IS_INSPECTION (self), FALSE);

  entry = lookup_network (self, network);
  return entry != NULL && entry->dns_enabled;
}

const char *
exitbox_inspection_get_network_subnet (ExitboxInspection *self,
                                       const char        *network)
{
  NetworkEntry *entry;

  g_return_val_if_fail (EXITBOX_IS_INSPECTION (self), NULL);

  entry = lookup_network (self, network);
  return entry != NULL ? entry->subnet : NULL;
}

const char *
exitbox_inspection_get_network_gateway (ExitboxInspection *self,
                                        const char        *network)
{
  NetworkEntry *entry;

  g_return_val_if_fail (EXITBOX_IS_INSPECTION (self), NULL);

  entry = lookup_network (self, network);
  return entry != NULL ? entry->gateway : NULL;
}

gboolean
exitbox_inspection_has_container (ExitboxInspection *self,
                                  const char        *container)
{
  g_return_val_if_fail (EXITBOX_IS_INSPECTION (self), FALSE);

  return lookup_container (self, container) != NULL;
}

gboolean
exitbox_inspection_get_container_running (ExitboxInspection *self,
                                          const char        *container)
{
  ContainerEntry *entry;

  g_return_val_if_fail (EXITBOX_IS_INSPECTION (self), FALSE);

  entry = lookup_container (self, container);
  return entry != NULL && entry->running;
}

const char *
exitbox_inspection_get_container_label (ExitboxInspection *self,
                                        const char        *container,
                                        const char        *label)
{
  ContainerEntry *entry;

  g_return_val_if_fail (EXITBOX_IS_INSPECTION (self), NULL);
  g_return_val_if_fail (label != NULL, NULL);

  entry = lookup_container (self, container);
  return entry != NULL ? g_hash_table_lookup (entry->labels, label) : NULL;
}

const char *
exitbox_inspection_get_container_image_id (ExitboxInspection *self,
                                           const char        *container)
{
  ContainerEntry *entry;

  g_return_val_if_fail (EXITBOX_IS_INSPECTION (self), NULL);

  entry = lookup_container (self, container);
  return entry != NULL ? entry->image_id : NULL;
}

const char *
exitbox_inspection_get_container_address (ExitboxInspection *self,
                                          const char        *container,
                                          const char        *network)
{
  AttachmentEntry *attachment;

  g_return_val_if_fail (EXITBOX_IS_INSPECTION (self), NULL);

  attachment = lookup_attachment (self, container, network);
  return attachment != NULL ? attachment->address : NULL;
}

const char *
exitbox_inspection_get_container_gateway (ExitboxInspection *self,
                                          const char        *container,
                                          const char        *network)
{
  AttachmentEntry *attachment;

  g_return_val_if_fail (EXITBOX_IS_INSPECTION (self), NULL);

  attachment = lookup_attachment (self, container, network);
  return attachment != NULL ? attachment->gateway : NULL;
}

const char *
exitbox_inspection_get_container_subnet (ExitboxInspection *self,
                                         const char        *container,
                                         const char        *network)
{
  AttachmentEntry *attachment;

  g_return_val_if_fail (EXITBOX_IS_INSPECTION (self), NULL);

  attachment = lookup_attachment (self, container, network);
  return attachment != NULL ? attachment->subnet : NULL;
}
