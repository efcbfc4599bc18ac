/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "exitbox-agent.h"
#include "exitbox-catalogue.h"
#include "exitbox-config.h"
#include "exitbox-core.h"
#include "exitbox-paths.h"
#include "exitbox-yaml.h"

#define DEFAULT_MEMORY "8g"
#define DEFAULT_CPUS "4"
#define RESOURCE_DIR "/io/github/exitbox/ExitBox/core/"

/* Both files contain the user's choices and the allowlist, which other
 * users of the machine have no reason to read.
 */
#define CONFIG_DIR_MODE 0700
#define CONFIG_FILE_MODE 0600

/* A container image reference as the engines accept it: an optional
 * registry (a name with a dot, "localhost", an address in brackets, or any
 * of these with a port), lower-case path components, an optional tag and an
 * optional digest.
 */
#define IMAGE_REFERENCE_PATTERN \
  "^(?:(?:(?:localhost|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?" \
  "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+|\\[[0-9A-Fa-f:]+\\])(?::[0-9]+)?" \
  "|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?:[0-9]+)/)?" \
  "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*" \
  "(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*" \
  "(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?" \
  "(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,})?$"

/* The newest `version` of config.yaml this build reads and writes. */
#define CONFIG_VERSION_MAX 1

/* The length limit the engines put on a reference. */
#define IMAGE_REFERENCE_MAX_LENGTH 255

#define DEFAULT_PROXY_IDLE_MINUTES 10

/* The largest settings.proxy_idle_minutes, so that the value in seconds
 * still fits the guint that g_timeout_add_seconds() takes.
 */
#define PROXY_IDLE_MINUTES_MAX (G_MAXUINT / 60)

/* The maximum length of agents.AGENT.version. Real version strings are far
 * shorter, so a longer value is a mistake such as a pasted command.
 */
#define VERSION_PIN_MAX_LENGTH 128


/* Package names in tools.user that the original product renamed on every
 * load. A NULL replacement means the package is removed from the list.
 */
static const struct
{
  const char *name;
  const char *replacement;
} deprecated_tools[] = {
  { "terraform", "opentofu" },
  { "docker", "docker-cli" },
  { "node", "nodejs" },
  { "ansible", NULL },
};

struct _ExitboxConfig
{
  GObject            parent_instance;

  gint               version;
  GHashTable        *agents_enabled;  /* agent id → GINT_TO_POINTER (enabled) */
  ExitboxBaseFamily  base_family;
  char              *base_image;
  char              *memory;
  char              *cpus;

  /* The lists are NULL-terminated arrays of strings. */
  GPtrArray         *roles;
  GPtrArray         *tool_categories;
  GHashTable        *agent_versions;  /* agent id → version pin */
  GPtrArray         *user_tools;
  GPtrArray         *profiles;
  GPtrArray         *env_passthrough;
  GPtrArray         *notices;

  gboolean           auto_update;
  gboolean           status_bar;
  gboolean           no_firewall;
  gboolean           read_only;
  gboolean           no_env;
  ExitboxConfigRuntime runtime;
  guint              proxy_idle_minutes;
};

G_DEFINE_TYPE (ExitboxConfig, exitbox_config, G_TYPE_OBJECT)

G_DEFINE_QUARK (exitbox-config-error-quark, exitbox_config_error)

static void
exitbox_config_finalize (GObject *object)
{
  ExitboxConfig *self = (ExitboxConfig *) object;

  g_clear_pointer (&self->agents_enabled, g_hash_table_unref);
  g_clear_pointer (&self->base_image, g_free);
  g_clear_pointer (&self->memory, g_free);
  g_clear_pointer (&self->cpus, g_free);
  g_clear_pointer (&self->roles, g_ptr_array_unref);
  g_clear_pointer (&self->tool_categories, g_ptr_array_unref);
  g_clear_pointer (&self->agent_versions, g_hash_table_unref);
  g_clear_pointer (&self->user_tools, g_ptr_array_unref);
  g_clear_pointer (&self->profiles, g_ptr_array_unref);
  g_clear_pointer (&self->env_passthrough, g_ptr_array_unref);
  g_clear_pointer (&self->notices, g_ptr_array_unref);

  G_OBJECT_CLASS (exitbox_config_parent_class)->finalize (object);
}

static void
exitbox_config_class_init (ExitboxConfigClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = exitbox_config_finalize;
}

static GPtrArray *
new_string_list (void)
{
  /* A reserved size above 0 makes pdata a NULL-terminated array even while
   * the list is empty.
   */
  return g_ptr_array_new_null_terminated (4, g_free, TRUE);
}

static const char * const *
string_list_get_strv (GPtrArray *list)
{
  static const char * const empty[] = { NULL };

  if (list->pdata == NULL)
    return empty;

  return (const char * const *) list->pdata;
}

/* These values are the same as in the first-run config.yaml, so an absent
 * key means the value of the default file.
 */
static void
exitbox_config_init (ExitboxConfig *self)
{
  const ExitboxAgentInfo *agents;
  guint n_agents;

  self->version = 1;
  self->agents_enabled = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->base_family = EXITBOX_BASE_FAMILY_DEBIAN;
  self->base_image = NULL;
  self->memory = g_strdup (DEFAULT_MEMORY);
  self->cpus = g_strdup (DEFAULT_CPUS);
  self->roles = new_string_list ();
  self->tool_categories = new_string_list ();
  self->agent_versions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->user_tools = new_string_list ();
  self->profiles = new_string_list ();
  /* Every image has the base profile unless the file lists others. */
  g_ptr_array_add (self->profiles, g_strdup ("base"));
  self->env_passthrough = new_string_list ();
  self->notices = new_string_list ();
  self->auto_update = FALSE;
  self->status_bar = TRUE;
  self->no_firewall = FALSE;
  self->read_only = FALSE;
  self->no_env = FALSE;
  self->runtime = EXITBOX_CONFIG_RUNTIME_AUTO;
  self->proxy_idle_minutes = DEFAULT_PROXY_IDLE_MINUTES;

  /* The first-run file enables only Claude Code. */
  agents = exitbox_agent_get_all (&n_agents);
  for (guint i = 0; i < n_agents; i++)
    g_hash_table_insert (self->agents_enabled,
                         g_strdup (agents[i].id),
                         GINT_TO_POINTER (g_str_equal (agents[i].id, "claude")));
}

ExitboxConfig *
exitbox_config_new_default (void)
{
  return g_object_new (EXITBOX_TYPE_CONFIG, NULL);
}

/* Validation helpers. Each one reports the file, line, column, key path,
 * the value found and the values accepted.
 */

static void
set_invalid_value_error (GError              **error,
                         ExitboxYamlDocument  *document,
                         yaml_node_t          *node,
                         const char           *key_path,
                         const char           *accepted)
{
  g_autofree char *location = exitbox_yaml_document_dup_location (document, node);
  const char *text = exitbox_yaml_node_get_scalar (node);

  if (text != NULL)
    g_set_error (error, EXITBOX_CONFIG_ERROR, EXITBOX_CONFIG_ERROR_INVALID_VALUE,
                 _("%s: invalid value “%s” for %s. Accepted values: %s."),
                 location, text, key_path, accepted);
  else
    g_set_error (error, EXITBOX_CONFIG_ERROR, EXITBOX_CONFIG_ERROR_INVALID_VALUE,
                 _("%s: invalid value for %s: expected a single value, found %s. "
                   "Accepted values: %s."),
                 location, key_path, exitbox_yaml_node_describe_type (node), accepted);
}

/* Looks up @key in @parent and checks that it is a mapping. An absent or
 * null value gives *out_node = NULL and succeeds.
 */
static gboolean
lookup_mapping (ExitboxYamlDocument  *document,
                yaml_node_t          *parent,
                const char           *key,
                const char           *key_path,
                const char           *example,
                yaml_node_t         **out_node,
                GError              **error)
{
  yaml_node_t *node = exitbox_yaml_mapping_lookup (document, parent, key);

  *out_node = NULL;

  if (exitbox_yaml_node_is_null (node))
    return TRUE;

  if (node->type != YAML_MAPPING_NODE)
    {
      g_autofree char *location = exitbox_yaml_document_dup_location (document, node);

      g_set_error (error, EXITBOX_CONFIG_ERROR, EXITBOX_CONFIG_ERROR_INVALID_VALUE,
                   _("%s: invalid value for %s: expected a mapping of keys such as %s, "
                     "found %s."),
                   location, key_path, example, exitbox_yaml_node_describe_type (node));
      return FALSE;
    }

  *out_node = node;
  return TRUE;
}

/* Looks up the scalar @key in @parent. An absent or null value gives
 * *out_text = NULL and succeeds.
 */
static gboolean
lookup_scalar (ExitboxYamlDocument  *document,
               yaml_node_t          *parent,
               const char           *key,
               const char           *key_path,
               const char           *accepted,
               yaml_node_t         **out_node,
               const char          **out_text,
               GError              **error)
{
  yaml_node_t *node = exitbox_yaml_mapping_lookup (document, parent, key);

  *out_node = node;
  *out_text = NULL;

  if (exitbox_yaml_node_is_null (node))
    return TRUE;

  if (node->type != YAML_SCALAR_NODE)
    {
      set_invalid_value_error (error, document, node, key_path, accepted);
      return FALSE;
    }

  *out_text = exitbox_yaml_node_get_scalar (node);
  return TRUE;
}

static gboolean
memory_is_valid (const char *text)
{
  gsize i = 0;
  gboolean nonzero = FALSE;

  for (; g_ascii_isdigit (text[i]); i++)
    nonzero |= text[i] != '0';

  if (i == 0 || !nonzero)
    return FALSE;

  if (text[i] != '\0' && strchr ("bkmgBKMG", text[i]) != NULL)
    i++;

  return text[i] == '\0';
}

static gboolean
cpus_is_valid (const char *text)
{
  gsize i = 0;

  for (; g_ascii_isdigit (text[i]); i++)
    ;
  if (i == 0)
    return FALSE;

  if (text[i] == '.')
    {
      gsize fraction_start = ++i;

      for (; g_ascii_isdigit (text[i]); i++)
        ;
      if (i == fraction_start)
        return FALSE;
    }

  return text[i] == '\0' && g_ascii_strtod (text, NULL) > 0.0;
}

/* The accepted values of each setting, shared by the file parser and
 * exitbox_config_check_value().
 */
static const char *
memory_accepted (void)
{
  return _("a number greater than 0 with an optional unit b, k, m or g, such as 8g or 512m");
}

static const char *
cpus_accepted (void)
{
  return _("a number of CPUs greater than 0, such as 4 or 1.5");
}

static const char *
boolean_accepted (void)
{
  return _("true or false (yes/no and on/off also work)");
}

static const char *
runtime_accepted (void)
{
  return _("auto, podman or docker");
}

static const char *
base_accepted (void)
{
  return _("debian or alpine");
}

static const char *
image_accepted (void)
{
  return _("an image reference such as debian:bookworm-slim or "
           "registry.example.com/team/base:1.0");
}

static char *
dup_proxy_idle_accepted (void)
{
  /* TRANSLATORS: %u is the largest accepted number of minutes */
  return g_strdup_printf (_("a whole number of minutes from 0 to %u, such as 10"),
                          PROXY_IDLE_MINUTES_MAX);
}

gboolean
exitbox_config_memory_is_valid (const char *text)
{
  g_return_val_if_fail (text != NULL, FALSE);

  return memory_is_valid (text);
}

gboolean
exitbox_config_cpus_is_valid (const char *text)
{
  g_return_val_if_fail (text != NULL, FALSE);

  return cpus_is_valid (text);
}

/* Whether @text is one character of @first_chars followed by any number of
 * characters of @other_chars. A NUL in @text never matches.
 */
static gboolean
text_matches_classes (const char *text,
                      const char *first_chars,
                      const char *other_chars)
{
  if (text[0] == '\0' || strchr (first_chars, text[0]) == NULL)
    return FALSE;

  for (gsize i = 1; text[i] != '\0'; i++)
    {
      if (strchr (other_chars, text[i]) == NULL)
        return FALSE;
    }

  return TRUE;
}

#define LOWER "abcdefghijklmnopqrstuvwxyz"
#define UPPER "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define DIGITS "0123456789"
#define LOWER_DIGITS LOWER DIGITS
#define LETTERS_DIGITS LOWER UPPER DIGITS

static gboolean
version_pin_is_valid (const char *text)
{
  return strlen (text) <= VERSION_PIN_MAX_LENGTH &&
         text_matches_classes (text, LETTERS_DIGITS, LETTERS_DIGITS ".+-");
}

/* Each check below returns a copy of the value to store, or NULL when the
 * value is invalid.
 */
typedef char *(*ListItemCheckFunc) (const char *text);

/* The catalogue that role, tool category and profile names must come from.
 * It is compiled into the core and checked by the tests.
 */
static ExitboxCatalogue *
get_catalogue (void)
{
  static ExitboxCatalogue *catalogue = NULL;
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      g_autoptr(GError) error = NULL;

      catalogue = exitbox_catalogue_load_default (&error);
      if (catalogue == NULL)
        g_error ("The built-in catalogue failed to load: %s", error->message);
      g_once_init_leave (&initialized, 1);
    }

  return catalogue;
}

static char *
check_catalogue_id (ExitboxCatalogueKind  kind,
                    const char           *text)
{
  const char *id = exitbox_catalogue_match_id (get_catalogue (), kind, text);

  return id != NULL ? g_strdup (id) : NULL;
}

/* A role id or name in any letter case, with a space or an underscore for
 * '-', so the original product's role names such as "Data Science" match.
 */
static char *
check_role (const char *text)
{
  return check_catalogue_id (EXITBOX_CATALOGUE_ROLE, text);
}

/* The original product stored display names such as "Build Tools". */
static char *
check_tool_category (const char *text)
{
  return check_catalogue_id (EXITBOX_CATALOGUE_TOOL_CATEGORY, text);
}

static char *
check_package_name (const char *text)
{
  return text_matches_classes (text, LOWER_DIGITS, LOWER_DIGITS ".+_-") ? g_strdup (text) : NULL;
}

static char *
check_profile_name (const char *text)
{
  return check_catalogue_id (EXITBOX_CATALOGUE_PROFILE, text);
}

static char *
check_variable_name (const char *text)
{
  return text_matches_classes (text, LOWER UPPER "_", LETTERS_DIGITS "_") ? g_strdup (text) : NULL;
}

/* Describes the accepted values of a list of catalogue ids. */
static char *
dup_ids_accepted (ExitboxCatalogueKind kind)
{
  g_auto(GStrv) ids = exitbox_catalogue_dup_ids (get_catalogue (), kind);
  g_autofree char *joined = g_strjoinv (", ", ids);

  switch (kind)
    {
    case EXITBOX_CATALOGUE_ROLE:
      /* TRANSLATORS: %s is a comma-separated list of ids */
      return g_strdup_printf (_("a list of role ids, in any letter case: %s"), joined);
    case EXITBOX_CATALOGUE_TOOL_CATEGORY:
      /* TRANSLATORS: %s is a comma-separated list of ids */
      return g_strdup_printf (_("a list of tool category ids, in any letter case: %s"), joined);
    case EXITBOX_CATALOGUE_PROFILE:
    case EXITBOX_CATALOGUE_LANGUAGE:
    default:
      /* TRANSLATORS: %s is a comma-separated list of ids */
      return g_strdup_printf (_("a list of profile ids: %s"), joined);
    }
}

gboolean
exitbox_image_reference_validate (const char  *reference,
                                  GError     **error)
{
  g_return_val_if_fail (reference != NULL, FALSE);

  if (strlen (reference) > IMAGE_REFERENCE_MAX_LENGTH)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a valid image reference: it is longer than %d characters."),
                   reference, IMAGE_REFERENCE_MAX_LENGTH);
      return FALSE;
    }

  if (!g_regex_match_simple (IMAGE_REFERENCE_PATTERN, reference, G_REGEX_DOLLAR_ENDONLY, 0))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a valid image reference. Use a reference such as "
                     "debian:bookworm-slim or registry.example.com/team/base:1.0."),
                   reference);
      return FALSE;
    }

  return TRUE;
}

/* Parsing, one function per section of the file. */

static void
set_not_a_list_error (GError              **error,
                      ExitboxYamlDocument  *document,
                      yaml_node_t          *node,
                      const char           *key_path,
                      const char           *accepted)
{
  g_autofree char *location = exitbox_yaml_document_dup_location (document, node);
  const char *text = exitbox_yaml_node_get_scalar (node);

  if (text != NULL)
    g_set_error (error, EXITBOX_CONFIG_ERROR, EXITBOX_CONFIG_ERROR_INVALID_VALUE,
                 _("%s: invalid value “%s” for %s: expected a list such as [%s]. "
                   "Accepted values: %s."),
                 location, text, key_path, text, accepted);
  else
    g_set_error (error, EXITBOX_CONFIG_ERROR, EXITBOX_CONFIG_ERROR_INVALID_VALUE,
                 _("%s: invalid value for %s: expected a list, found %s. "
                   "Accepted values: %s."),
                 location, key_path, exitbox_yaml_node_describe_type (node), accepted);
}

/* Reads the list @key of @parent into @out_items, with each item passed
 * through @check. An absent or null value leaves @out_items unchanged.
 */
static gboolean
parse_string_list (ExitboxYamlDocument  *document,
                   yaml_node_t          *parent,
                   const char           *key,
                   const char           *key_path,
                   const char           *accepted,
                   ListItemCheckFunc     check,
                   GPtrArray            *out_items,
                   GError              **error)
{
  yaml_node_t *node = exitbox_yaml_mapping_lookup (document, parent, key);
  guint length;

  if (exitbox_yaml_node_is_null (node))
    return TRUE;

  if (node->type != YAML_SEQUENCE_NODE)
    {
      set_not_a_list_error (error, document, node, key_path, accepted);
      return FALSE;
    }

  length = exitbox_yaml_node_get_length (node);
  for (guint i = 0; i < length; i++)
    {
      yaml_node_t *item = exitbox_yaml_sequence_get_item (document, node, i);
      const char *text = exitbox_yaml_node_get_scalar (item);
      char *value = NULL;

      if (text != NULL)
        value = check (text);

      if (value == NULL)
        {
          set_invalid_value_error (error, document, item, key_path, accepted);
          return FALSE;
        }

      g_ptr_array_add (out_items, value);
    }

  return TRUE;
}

/* Reads the boolean @key of @parent into @out_value, which keeps its value
 * when the key is absent or null.
 */
static gboolean
parse_boolean_key (ExitboxYamlDocument  *document,
                   yaml_node_t          *parent,
                   const char           *key,
                   const char           *key_path,
                   gboolean             *out_value,
                   GError              **error)
{
  const char *accepted = boolean_accepted ();
  yaml_node_t *node;
  const char *text;

  if (!lookup_scalar (document, parent, key, key_path, accepted, &node, &text, error))
    return FALSE;

  if (text == NULL)
    return TRUE;

  if (!exitbox_yaml_parse_boolean (text, out_value))
    {
      set_invalid_value_error (error, document, node, key_path, accepted);
      return FALSE;
    }

  return TRUE;
}

static gboolean
parse_roles (ExitboxConfig        *self,
             ExitboxYamlDocument  *document,
             yaml_node_t          *root,
             GError              **error)
{
  g_autofree char *accepted = dup_ids_accepted (EXITBOX_CATALOGUE_ROLE);

  return parse_string_list (document, root, "roles", "roles", accepted, check_role,
                            self->roles, error);
}

static gboolean
parse_tool_categories (ExitboxConfig        *self,
                       ExitboxYamlDocument  *document,
                       yaml_node_t          *root,
                       GError              **error)
{
  g_autofree char *accepted = dup_ids_accepted (EXITBOX_CATALOGUE_TOOL_CATEGORY);

  return parse_string_list (document, root, "tool_categories", "tool_categories", accepted,
                            check_tool_category, self->tool_categories, error);
}

static gboolean
string_list_contains (GPtrArray  *list,
                      const char *text)
{
  return g_ptr_array_find_with_equal_func (list, text, g_str_equal, NULL);
}

/* Renames deprecated package names and removes duplicates, keeping the
 * order, with a notice for each change.
 */
static void
migrate_user_tools (ExitboxConfig *self,
                    GPtrArray     *written,
                    const char    *location)
{
  for (guint i = 0; i < written->len; i++)
    {
      const char *name = g_ptr_array_index (written, i);
      const char *stored = name;

      for (guint j = 0; j < G_N_ELEMENTS (deprecated_tools); j++)
        {
          if (!g_str_equal (name, deprecated_tools[j].name))
            continue;

          stored = deprecated_tools[j].replacement;
          if (stored != NULL)
            g_ptr_array_add (self->notices,
                             g_strdup_printf (_("%s: tools.user: “%s” is now “%s”. Change it "
                                                "in the file to hide this notice."),
                                              location, name, stored));
          else
            g_ptr_array_add (self->notices,
                             g_strdup_printf (_("%s: tools.user: “%s” is no longer installed "
                                                "and was removed from the list. Remove it "
                                                "from the file to hide this notice."),
                                              location, name));
          break;
        }

      if (stored == NULL)
        continue;

      if (string_list_contains (self->user_tools, stored))
        {
          g_ptr_array_add (self->notices,
                           g_strdup_printf (_("%s: tools.user: “%s” is listed more than once "
                                              "and is installed once."),
                                            location, stored));
          continue;
        }

      g_ptr_array_add (self->user_tools, g_strdup (stored));
    }
}

static gboolean
parse_tools (ExitboxConfig        *self,
             ExitboxYamlDocument  *document,
             yaml_node_t          *root,
             GError              **error)
{
  const char *accepted = _("a list of package names made of lower-case letters, digits "
                           "and . + _ -, starting with a letter or digit, such as "
                           "[ripgrep, jq]");
  g_autoptr(GPtrArray) written = new_string_list ();
  g_autofree char *location = NULL;
  yaml_node_t *tools;
  yaml_node_t *user;

  if (!lookup_mapping (document, root, "tools", "tools", "“user: [ripgrep]”", &tools, error))
    return FALSE;

  if (tools == NULL)
    return TRUE;

  if (!parse_string_list (document, tools, "user", "tools.user", accepted, check_package_name,
                          written, error))
    return FALSE;

  user = exitbox_yaml_mapping_lookup (document, tools, "user");
  if (user == NULL)
    return TRUE;

  location = exitbox_yaml_document_dup_location (document, user);
  migrate_user_tools (self, written, location);
  return TRUE;
}

static gboolean
parse_profiles (ExitboxConfig        *self,
                ExitboxYamlDocument  *document,
                yaml_node_t          *root,
                GError              **error)
{
  g_autofree char *accepted = dup_ids_accepted (EXITBOX_CATALOGUE_PROFILE);
  yaml_node_t *node = exitbox_yaml_mapping_lookup (document, root, "profiles");

  /* The original product wrote `profiles: {active: …, items: […]}` before
   * it had workspaces. That form is not read, and the file keeps it.
   */
  if (node != NULL && node->type == YAML_MAPPING_NODE)
    {
      g_autofree char *location = exitbox_yaml_document_dup_location (document, node);

      g_ptr_array_add (self->notices,
                       g_strdup_printf (_("%s: profiles: the older form with “active” and "
                                          "“items” is not read. Write a list of profile "
                                          "names instead, such as [python, build-tools]."),
                                        location));
      return TRUE;
    }

  if (node != NULL && node->type == YAML_SEQUENCE_NODE)
    g_ptr_array_set_size (self->profiles, 0);

  return parse_string_list (document, root, "profiles", "profiles", accepted,
                            check_profile_name, self->profiles, error);
}

static gboolean
parse_version (ExitboxConfig        *self,
               ExitboxYamlDocument  *document,
               yaml_node_t          *root,
               GError              **error)
{
  const char *accepted = _("a whole number of at least 1, such as 1");
  yaml_node_t *node;
  const char *text;
  gint64 version;

  if (!lookup_scalar (document, root, "version", "version", accepted, &node, &text, error))
    return FALSE;

  if (text == NULL)
    return TRUE;

  if (!g_ascii_string_to_signed (text, 10, 1, G_MAXINT, &version, NULL))
    {
      set_invalid_value_error (error, document, node, "version", accepted);
      return FALSE;
    }

  self->version = (gint) version;

  if (self->version > CONFIG_VERSION_MAX)
    g_ptr_array_add (self->notices,
                     g_strdup_printf (_("%s has version %d, written by a newer ExitBox. This "
                                        "version reads it as version %d and will not change it: "
                                        "keys it does not know are ignored."),
                                      document->path, self->version, CONFIG_VERSION_MAX));
  return TRUE;
}

static gboolean
parse_agents (ExitboxConfig        *self,
              ExitboxYamlDocument  *document,
              yaml_node_t          *root,
              GError              **error)
{
  const char *accepted = _("true or false (yes/no and on/off also work)");
  const char *version_accepted = _("a version made of letters, digits and . + -, starting "
                                   "with a letter or digit, such as 1.0.17");
  const ExitboxAgentInfo *agents;
  yaml_node_t *agents_node;
  guint n_agents;

  if (!lookup_mapping (document, root, "agents", "agents", "“claude: {enabled: true}”",
                       &agents_node, error))
    return FALSE;

  if (agents_node == NULL)
    return TRUE;

  /* Only agents of the catalogue are read. Others, such as agents that an
   * older or newer release knew, are left alone.
   */
  agents = exitbox_agent_get_all (&n_agents);
  for (guint i = 0; i < n_agents; i++)
    {
      g_autofree char *agent_path = g_strdup_printf ("agents.%s", agents[i].id);
      g_autofree char *enabled_path = g_strdup_printf ("agents.%s.enabled", agents[i].id);
      g_autofree char *version_path = g_strdup_printf ("agents.%s.version", agents[i].id);
      yaml_node_t *agent_node;
      yaml_node_t *enabled_node;
      yaml_node_t *version_node;
      const char *text;
      gboolean enabled;

      if (!lookup_mapping (document, agents_node, agents[i].id, agent_path,
                           "“enabled: true”", &agent_node, error))
        return FALSE;

      if (agent_node == NULL)
        continue;

      if (!lookup_scalar (document, agent_node, "version", version_path, version_accepted,
                          &version_node, &text, error))
        return FALSE;

      /* An empty quoted string means "not pinned", like a missing key. */
      if (text != NULL && text[0] != '\0')
        {
          if (!version_pin_is_valid (text))
            {
              set_invalid_value_error (error, document, version_node, version_path,
                                       version_accepted);
              return FALSE;
            }

          g_hash_table_insert (self->agent_versions, g_strdup (agents[i].id), g_strdup (text));
        }

      if (!lookup_scalar (document, agent_node, "enabled", enabled_path, accepted,
                          &enabled_node, &text, error))
        return FALSE;

      if (text == NULL)
        continue;

      if (!exitbox_yaml_parse_boolean (text, &enabled))
        {
          set_invalid_value_error (error, document, enabled_node, enabled_path, accepted);
          return FALSE;
        }

      g_hash_table_insert (self->agents_enabled,
                           g_strdup (agents[i].id),
                           GINT_TO_POINTER (enabled));
    }

  return TRUE;
}

static gboolean
parse_default_flags (ExitboxConfig        *self,
                     ExitboxYamlDocument  *document,
                     yaml_node_t          *settings,
                     GError              **error)
{
  yaml_node_t *flags;
  yaml_node_t *node;
  const char *text;

  if (!lookup_mapping (document, settings, "default_flags", "settings.default_flags",
                       "“memory: 8g”", &flags, error))
    return FALSE;

  if (flags == NULL)
    return TRUE;

  if (!lookup_scalar (document, flags, "memory", "settings.default_flags.memory",
                      memory_accepted (), &node, &text, error))
    return FALSE;

  if (text != NULL)
    {
      if (!memory_is_valid (text))
        {
          set_invalid_value_error (error, document, node, "settings.default_flags.memory",
                                   memory_accepted ());
          return FALSE;
        }

      g_free (self->memory);
      self->memory = g_strdup (text);
    }

  if (!lookup_scalar (document, flags, "cpus", "settings.default_flags.cpus",
                      cpus_accepted (), &node, &text, error))
    return FALSE;

  if (text != NULL)
    {
      if (!cpus_is_valid (text))
        {
          set_invalid_value_error (error, document, node, "settings.default_flags.cpus",
                                   cpus_accepted ());
          return FALSE;
        }

      g_free (self->cpus);
      self->cpus = g_strdup (text);
    }

  return parse_boolean_key (document, flags, "no_firewall", "settings.default_flags.no_firewall",
                            &self->no_firewall, error) &&
         parse_boolean_key (document, flags, "read_only", "settings.default_flags.read_only",
                            &self->read_only, error) &&
         parse_boolean_key (document, flags, "no_env", "settings.default_flags.no_env",
                            &self->no_env, error);
}

static gboolean
parse_runtime (ExitboxConfig        *self,
               ExitboxYamlDocument  *document,
               yaml_node_t          *settings,
               GError              **error)
{
  const char *accepted = runtime_accepted ();
  yaml_node_t *node;
  const char *text;

  if (!lookup_scalar (document, settings, "runtime", "settings.runtime", accepted,
                      &node, &text, error))
    return FALSE;

  if (text == NULL)
    return TRUE;

  if (g_ascii_strcasecmp (text, "auto") == 0)
    {
      self->runtime = EXITBOX_CONFIG_RUNTIME_AUTO;
    }
  else if (g_ascii_strcasecmp (text, "podman") == 0)
    {
      self->runtime = EXITBOX_CONFIG_RUNTIME_PODMAN;
    }
  else if (g_ascii_strcasecmp (text, "docker") == 0)
    {
      self->runtime = EXITBOX_CONFIG_RUNTIME_DOCKER;
    }
  else
    {
      set_invalid_value_error (error, document, node, "settings.runtime", accepted);
      return FALSE;
    }

  return TRUE;
}

static gboolean
parse_proxy_idle_minutes (ExitboxConfig        *self,
                          ExitboxYamlDocument  *document,
                          yaml_node_t          *settings,
                          GError              **error)
{
  g_autofree char *accepted = NULL;
  yaml_node_t *node;
  const char *text;
  guint64 minutes;

  accepted = dup_proxy_idle_accepted ();

  if (!lookup_scalar (document, settings, "proxy_idle_minutes", "settings.proxy_idle_minutes",
                      accepted, &node, &text, error))
    return FALSE;

  if (text == NULL)
    return TRUE;

  if (!g_ascii_string_to_unsigned (text, 10, 0, PROXY_IDLE_MINUTES_MAX, &minutes, NULL))
    {
      set_invalid_value_error (error, document, node, "settings.proxy_idle_minutes", accepted);
      return FALSE;
    }

  self->proxy_idle_minutes = (guint) minutes;
  return TRUE;
}

static gboolean
parse_settings_extras (ExitboxConfig        *self,
                       ExitboxYamlDocument  *document,
                       yaml_node_t          *settings,
                       GError              **error)
{
  const char *variable_accepted = _("a list of environment variable names made of letters, "
                                    "digits and _, not starting with a digit, such as "
                                    "[GITHUB_TOKEN, HTTP_USER_AGENT]");

  return parse_boolean_key (document, settings, "auto_update", "settings.auto_update",
                            &self->auto_update, error) &&
         parse_boolean_key (document, settings, "status_bar", "settings.status_bar",
                            &self->status_bar, error) &&
         parse_runtime (self, document, settings, error) &&
         parse_string_list (document, settings, "env_passthrough", "settings.env_passthrough",
                            variable_accepted, check_variable_name, self->env_passthrough,
                            error) &&
         parse_proxy_idle_minutes (self, document, settings, error);
}

static gboolean
parse_settings (ExitboxConfig        *self,
                ExitboxYamlDocument  *document,
                yaml_node_t          *root,
                GError              **error)
{
  yaml_node_t *settings;
  yaml_node_t *node;
  const char *text;

  if (!lookup_mapping (document, root, "settings", "settings", "“base: debian”",
                       &settings, error))
    return FALSE;

  if (settings == NULL)
    return TRUE;

  if (!lookup_scalar (document, settings, "base", "settings.base", base_accepted (),
                      &node, &text, error))
    return FALSE;

  if (text != NULL)
    {
      if (g_ascii_strcasecmp (text, "debian") == 0)
        {
          self->base_family = EXITBOX_BASE_FAMILY_DEBIAN;
        }
      else if (g_ascii_strcasecmp (text, "alpine") == 0)
        {
          self->base_family = EXITBOX_BASE_FAMILY_ALPINE;
        }
      else
        {
          set_invalid_value_error (error, document, node, "settings.base", base_accepted ());
          return FALSE;
        }
    }

  if (!lookup_scalar (document, settings, "base_image", "settings.base_image", image_accepted (),
                      &node, &text, error))
    return FALSE;

  /* An empty quoted string means "not set", like a missing key. */
  if (text != NULL && text[0] != '\0')
    {
      if (!exitbox_image_reference_validate (text, NULL))
        {
          set_invalid_value_error (error, document, node, "settings.base_image", image_accepted ());
          return FALSE;
        }

      self->base_image = g_strdup (text);
    }

  return parse_settings_extras (self, document, settings, error) &&
         parse_default_flags (self, document, settings, error);
}

ExitboxConfig *
exitbox_config_load_data (const char  *data,
                          gssize       length,
                          const char  *path_for_messages,
                          GError     **error)
{
  g_autoptr(ExitboxYamlDocument) document = NULL;
  g_autoptr(ExitboxConfig) self = NULL;
  g_autoptr(GError) local_error = NULL;
  yaml_node_t *root;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  document = exitbox_yaml_document_load_data (data, length, path_for_messages, &local_error);
  if (document == NULL)
    {
      g_set_error (error, EXITBOX_CONFIG_ERROR, EXITBOX_CONFIG_ERROR_PARSE,
                   _("%s. Fix the YAML syntax at that place. ExitBox does not change the "
                     "file while it cannot be read."),
                   local_error->message);
      return NULL;
    }

  self = exitbox_config_new_default ();
  root = exitbox_yaml_document_get_root (document);

  /* An empty file keeps every default. */
  if (exitbox_yaml_node_is_null (root))
    return g_steal_pointer (&self);

  if (root->type != YAML_MAPPING_NODE)
    {
      g_autofree char *location = exitbox_yaml_document_dup_location (document, root);

      g_set_error (error, EXITBOX_CONFIG_ERROR, EXITBOX_CONFIG_ERROR_INVALID_VALUE,
                   _("%s: the configuration must be a mapping of keys such as "
                     "“version: 1”, but the file contains %s."),
                   location, exitbox_yaml_node_describe_type (root));
      return NULL;
    }

  if (!parse_version (self, document, root, error) ||
      !parse_roles (self, document, root, error) ||
      !parse_tool_categories (self, document, root, error) ||
      !parse_agents (self, document, root, error) ||
      !parse_tools (self, document, root, error) ||
      !parse_profiles (self, document, root, error) ||
      !parse_settings (self, document, root, error))
    return NULL;

  return g_steal_pointer (&self);
}

ExitboxConfig *
exitbox_config_load_file (const char  *path,
                          GError     **error)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  file = g_file_new_for_path (path);
  if (!g_file_load_contents (file, NULL, &contents, &length, NULL, error))
    return NULL;

  return exitbox_config_load_data (contents, (gssize) length, path, error);
}

gint
exitbox_config_get_version (ExitboxConfig *self)
{
  g_return_val_if_fail (EXITBOX_IS_CONFIG (self), 0);

  return self->version;
}

gboolean
exitbox_config_get_agent_enabled (ExitboxConfig *self,
                                  const char    *agent_id)
{
  g_return_val_if_fail (EXITBOX_IS_CONFIG (self), FALSE);
  g_return_val_if_fail (agent_id != NULL, FALSE);

  return GPOINTER_TO_INT (g_hash_table_lookup (self->agents_enabled, agent_id));
}

ExitboxBaseFamily
exitbox_config_get_base_family (ExitboxConfig *self)
{
  g_return_val_if_fail (EXITBOX_IS_CONFIG (self), EXITBOX_BASE_FAMILY_DEBIAN);

  return self->base_family;
}

const char *
exitbox_config_get_base_image (ExitboxConfig *self)
{
  g_return_val_if_fail (EXITBOX_IS_CONFIG (self), NULL);

  return self->base_image;
}

char *
exitbox_config_dup_effective_base_image (ExitboxConfig *self)
{
  const char *from_environment;

  g_return_val_if_fail (EXITBOX_IS_CONFIG (self), NULL);

  from_environment = g_getenv ("EXITBOX_BASE_IMAGE");
  if (from_environment != NULL && from_environment[0] != '\0')
    {
      g_autoptr(GError) error = NULL;

      if (exitbox_image_reference_validate (from_environment, &error))
        return g_strdup (from_environment);

      g_warning ("Ignoring EXITBOX_BASE_IMAGE: %s", error->message);
    }

  if (self->base_image != NULL)
    return g_strdup (self->base_image);

  return g_strdup (exitbox_base_family_default_image (self->base_family));
}

const char *
exitbox_config_get_memory (ExitboxConfig *self)
{
  g_return_val_if_fail (EXITBOX_IS_CONFIG (self), NULL);

  return self->memory;
}

const char *
exitbox_config_get_cpus (ExitboxConfig *self)
{
  g_return_val_if_fail (EXITBOX_IS_CONFIG (self), NULL);

  return self->cpus;
}

const char * const *
exitbox_config_get_roles (ExitboxConfig *self)
{
  g_return_val_if_fail (EXITBOX_IS_CONFIG (self), NULL);

  return string_list_get_strv (self->roles);
}

const char * const *
exitbox_config_get_tool_categories (ExitboxConfig *self)
{
  g_return_val_if_fail (EXITBOX_IS_CONFIG (self), NULL);

  return string_list_get_strv (self->tool_categories);
}

const char *
exitbox_config_get_agent_version (ExitboxConfig *self,
                                  const char    *agent_id)
{
  g_return_val_if_fail (EXITBOX_IS_CONFIG (self), NULL);
  g_return_val_if_fail (agent_id != NULL, NULL);

  return g_hash_table_lookup (self->agent_versions, agent_id);
}

const char * const *
exitbox_config_get_user_tools (ExitboxConfig *self)
{
  g_return_val_if_fail (EXITBOX_IS_CONFIG (self), NULL);

  return string_list_get_strv (self->user_tools);
}

const char * const *
exitbox_config_get_profiles (ExitboxConfig *self)
{
  g_return_val_if_fail (EXITBOX_IS_CONFIG (self), NULL);

  return string_list_get_strv (self->profiles);
}

const char * const *
exitbox_config_get_env_passthrough (ExitboxConfig *self)
{
  g_return_val_if_fail (EXITBOX_IS_CONFIG (self), NULL);

  return string_list_get_strv (self->env_passthrough);
}

const char * const *
exitbox_config_get_notices (ExitboxConfig *self)
{
  g_return_val_if_fail (EXITBOX_IS_CONFIG (self), NULL);

  return string_list_get_strv (self->notices);
}

gboolean
exitbox_config_get_auto_update (ExitboxConfig *self)
{
  g_return_val_if_fail (EXITBOX_IS_CONFIG (self), FALSE);

  return self->auto_update;
}

gboolean
exitbox_config_get_status_bar (ExitboxConfig *self)
{
  g_return_val_if_fail (EXITBOX_IS_CONFIG (self), TRUE);

  return self->status_bar;
}

gboolean
exitbox_config_get_no_firewall (ExitboxConfig *self)
{
  g_return_val_if_fail (EXITBOX_IS_CONFIG (self), FALSE);

  return self->no_firewall;
}

gboolean
exitbox_config_get_read_only (ExitboxConfig *self)
{
  g_return_val_if_fail (EXITBOX_IS_CONFIG (self), FALSE);

  return self->read_only;
}

gboolean
exitbox_config_get_no_env (ExitboxConfig *self)
{
  g_return_val_if_fail (EXITBOX_IS_CONFIG (self), FALSE);

  return self->no_env;
}

ExitboxConfigRuntime
exitbox_config_get_runtime (ExitboxConfig *self)
{
  g_return_val_if_fail (EXITBOX_IS_CONFIG (self), EXITBOX_CONFIG_RUNTIME_AUTO);

  return self->runtime;
}

guint
exitbox_config_get_proxy_idle_minutes (ExitboxConfig *self)
{
  g_return_val_if_fail (EXITBOX_IS_CONFIG (self), DEFAULT_PROXY_IDLE_MINUTES);

  return self->proxy_idle_minutes;
}

const char *
exitbox_config_runtime_to_string (ExitboxConfigRuntime runtime)
{
  switch (runtime)
    {
    case EXITBOX_CONFIG_RUNTIME_PODMAN:
      return "podman";

    case EXITBOX_CONFIG_RUNTIME_DOCKER:
      return "docker";

    case EXITBOX_CONFIG_RUNTIME_AUTO:
    default:
      return "auto";
    }
}

const char *
exitbox_base_family_to_string (ExitboxBaseFamily family)
{
  switch (family)
    {
    case EXITBOX_BASE_FAMILY_ALPINE:
      return "alpine";

    case EXITBOX_BASE_FAMILY_DEBIAN:
    default:
      return "debian";
    }
}

const char *
exitbox_base_family_default_image (ExitboxBaseFamily family)
{
  switch (family)
    {
    case EXITBOX_BASE_FAMILY_ALPINE:
      return "alpine:3.21";

    case EXITBOX_BASE_FAMILY_DEBIAN:
    default:
      return "debian:bookworm-slim";
    }
}

/* Editing. */

static void
set_unknown_agent_error (const char  *agent_id,
                         GError     **error)
{
  g_autoptr(GString) ids = g_string_new (NULL);
  const ExitboxAgentInfo *agents;
  guint n_agents;

  agents = exitbox_agent_get_all (&n_agents);
  for (guint i = 0; i < n_agents; i++)
    {
      if (i > 0)
        g_string_append (ids, ", ");
      g_string_append (ids, agents[i].id);
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               _("Unknown agent “%s”. Use one of: %s."), agent_id, ids->str);
}

/* Checks the edited text the way the next load will read it, so an edit
 * that the config parser would reject is never saved.
 */
static gboolean
check_edited_config (const char  *edited,
                     gsize        length,
                     const char  *path,
                     const char  *agent_id,
                     gboolean     enabled,
                     GError     **error)
{
  g_autoptr(ExitboxConfig) config = NULL;
  g_autoptr(GError) local_error = NULL;

  config = exitbox_config_load_data (edited, (gssize) length, path, &local_error);
  if (config == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Changing agents.%s.enabled would make %s unreadable (%s), so it was "
                     "not changed. Edit the file by hand."),
                   agent_id, path, local_error->message);
      return FALSE;
    }

  if (exitbox_config_get_agent_enabled (config, agent_id) != enabled)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Changing agents.%s.enabled in %s did not take effect when read back, "
                     "so the file was not changed. Edit the file by hand."),
                   agent_id, path);
      return FALSE;
    }

  return TRUE;
}

gboolean
exitbox_config_set_agent_enabled_in_file (const char  *path,
                                          const char  *agent_id,
                                          gboolean     enabled,
                                          gboolean    *out_changed,
                                          GError     **error)
{
  g_autoptr(ExitboxConfig) config = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *edited = NULL;
  const char *key_path[] = { "agents", agent_id, "enabled", NULL };
  gsize length = 0;
  gsize edited_length = 0;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (agent_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (out_changed != NULL)
    *out_changed = FALSE;

  if (exitbox_agent_lookup (agent_id) == NULL)
    {
      set_unknown_agent_error (agent_id, error);
      return FALSE;
    }

  file = g_file_new_for_path (path);
  if (!g_file_load_contents (file, NULL, &contents, &length, NULL, error))
    return FALSE;

  config = exitbox_config_load_data (contents, (gssize) length, path, error);
  if (config == NULL)
    return FALSE;

  if (config->version > CONFIG_VERSION_MAX)
    {
      g_set_error (error, EXITBOX_CONFIG_ERROR, EXITBOX_CONFIG_ERROR_NEWER_VERSION,
                   _("%s has version %d, but this ExitBox reads version %d at most, so the "
                     "file is read-only for this version. Update ExitBox, or edit the file "
                     "by hand."),
                   path, config->version, CONFIG_VERSION_MAX);
      return FALSE;
    }

  if (exitbox_config_get_agent_enabled (config, agent_id) == enabled)
    return TRUE;

  edited = exitbox_yaml_set_scalar (contents, (gssize) length, path, key_path,
                                    enabled ? "true" : "false", &edited_length, error);
  if (edited == NULL)
    return FALSE;

  if (!check_edited_config (edited, edited_length, path, agent_id, enabled, error))
    return FALSE;

  if (!exitbox_write_file_atomically (path, edited, (gssize) edited_length, CONFIG_FILE_MODE,
                                      error))
    return FALSE;

  if (out_changed != NULL)
    *out_changed = TRUE;

  return TRUE;
}

gboolean
exitbox_config_add_user_tools_in_file (const char          *path,
                                       const char * const  *tools,
                                       GPtrArray          **out_added,
                                       GError             **error)
{
  g_autoptr(ExitboxConfig) config = NULL;
  g_autoptr(ExitboxConfig) check = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Every name is checked before the file is read, so a bad name changes
   * nothing.
   */
  for (guint i = 0; tools != NULL && tools[i] != NULL; i++)
    {
      g_autofree char *checked = check_package_name (tools[i]);

      if (checked == NULL)
        {
          g_autofree char *printable = g_strescape (tools[i], NULL);

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("The package name “%s” is invalid: package names start with a "
                         "lower-case letter or digit and contain only lower-case letters, "
                         "digits and . + _ -, such as ripgrep or libssl-dev."),
                       printable);
          return FALSE;
        }

      for (guint j = 0; j < G_N_ELEMENTS (deprecated_tools); j++)
        {
          if (!g_str_equal (tools[i], deprecated_tools[j].name))
            continue;

          if (deprecated_tools[j].replacement != NULL)
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                         _("The package “%s” is now called “%s”: use that name."),
                         tools[i], deprecated_tools[j].replacement);
          else
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                         _("The package “%s” is no longer installed by ExitBox."), tools[i]);
          return FALSE;
        }
    }

  file = g_file_new_for_path (path);
  if (!g_file_load_contents (file, NULL, &contents, &length, NULL, error))
    return FALSE;

  config = exitbox_config_load_data (contents, (gssize) length, path, error);
  if (config == NULL)
    return FALSE;

  if (config->version > CONFIG_VERSION_MAX)
    {
      g_set_error (error, EXITBOX_CONFIG_ERROR, EXITBOX_CONFIG_ERROR_NEWER_VERSION,
                   _("%s has version %d, but this ExitBox reads version %d at most, so the "
                     "file is read-only for this version. Update ExitBox, or edit the file "
                     "by hand."),
                   path, config->version, CONFIG_VERSION_MAX);
      return FALSE;
    }

  for (guint i = 0; tools != NULL && tools[i] != NULL; i++)
    {
      g_autofree char *edited = NULL;
      gsize edited_length = 0;

      if (string_list_contains (config->user_tools, tools[i]) ||
          string_list_contains (added, tools[i]))
        continue;

      edited = exitbox_yaml_append_nested_sequence_item (contents, (gssize) length, path,
                                                         "tools", "user", tools[i],
                                                         &edited_length, error);
      if (edited == NULL)
        return FALSE;

      g_free (contents);
      contents = g_steal_pointer (&edited);
      length = edited_length;
      g_ptr_array_add (added, g_strdup (tools[i]));
    }

  if (added->len > 0)
    {
      check = exitbox_config_load_data (contents, (gssize) length, path, error);
      if (check == NULL)
        return FALSE;

      if (!exitbox_write_file_atomically (path, contents, (gssize) length, CONFIG_FILE_MODE,
                                          error))
        return FALSE;
    }

  if (out_added != NULL)
    *out_added = g_steal_pointer (&added);

  return TRUE;
}

gboolean
exitbox_config_save_data_to_file (const char  *path,
                                  const char  *data,
                                  gsize        length,
                                  GError     **error)
{
  g_autoptr(ExitboxConfig) config = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (data != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  config = exitbox_config_load_data (data, (gssize) length, path, error);
  if (config == NULL)
    return FALSE;

  if (config->version > CONFIG_VERSION_MAX)
    {
      g_set_error (error, EXITBOX_CONFIG_ERROR, EXITBOX_CONFIG_ERROR_NEWER_VERSION,
                   _("%s has version %d, but this ExitBox reads version %d at most, so the "
                     "file is read-only for this version. Update ExitBox, or edit the file "
                     "by hand."),
                   path, config->version, CONFIG_VERSION_MAX);
      return FALSE;
    }

  return exitbox_write_file_atomically (path, data, (gssize) length, CONFIG_FILE_MODE, error);
}

/* First run. */

/* Sets *out_exists from lstat(), so that a dangling symbolic link counts as
 * an existing file and is never replaced.
 */
static gboolean
path_exists (const char  *path,
             gboolean    *out_exists,
             GError     **error)
{
  GStatBuf buffer;
  int saved_errno;

  if (g_lstat (path, &buffer) == 0)
    {
      *out_exists = TRUE;
      return TRUE;
    }

  saved_errno = errno;
  if (saved_errno == ENOENT)
    {
      *out_exists = FALSE;
      return TRUE;
    }

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               _("Failed to check whether %s exists: %s"), path, g_strerror (saved_errno));
  return FALSE;
}

static gboolean
write_default_file (const char  *config_dir,
                    const char  *name,
                    GError     **error)
{
  g_autofree char *resource_path = g_strconcat (RESOURCE_DIR, name, NULL);
  g_autofree char *path = g_build_filename (config_dir, name, NULL);
  g_autoptr(GBytes) bytes = NULL;
  gsize size;
  const char *contents;

  bytes = g_resources_lookup_data (resource_path, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (bytes == NULL)
    return FALSE;

  contents = g_bytes_get_data (bytes, &size);

  return exitbox_write_file_atomically (path, contents, (gssize) size, CONFIG_FILE_MODE, error);
}

gboolean
exitbox_config_ensure_defaults (const char  *config_dir,
                                gboolean    *out_created,
                                GError     **error)
{
  g_autofree char *config_path = NULL;
  g_autofree char *allowlist_path = NULL;
  gboolean config_exists;
  gboolean allowlist_exists;

  g_return_val_if_fail (config_dir != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (out_created != NULL)
    *out_created = FALSE;

  config_path = g_build_filename (config_dir, "config.yaml", NULL);
  allowlist_path = g_build_filename (config_dir, "allowlist.yaml", NULL);

  if (!path_exists (config_path, &config_exists, error) ||
      !path_exists (allowlist_path, &allowlist_exists, error))
    return FALSE;

  /* Either file means this is not a first run. A missing allowlist next to
   * an existing config.yaml stays missing, so the firewall blocks every
   * destination and reports why, instead of silently allowing the defaults.
   * A missing config.yaml only means default settings, so it is written.
   */
  if (config_exists)
    return TRUE;

  if (allowlist_exists)
    {
      if (!write_default_file (config_dir, "config.yaml", error))
        return FALSE;

      if (out_created != NULL)
        *out_created = TRUE;
      return TRUE;
    }

  exitbox_core_init ();

  if (g_mkdir_with_parents (config_dir, CONFIG_DIR_MODE) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Failed to create the folder %s: %s"), config_dir, g_strerror (saved_errno));
      return FALSE;
    }

  /* The allowlist goes first: if writing config.yaml then fails, the next
   * run finds an allowlist and no config.yaml, which the built-in defaults
   * cover, rather than a config.yaml with no allowlist.
   */
  if (!write_default_file (config_dir, "allowlist.yaml", error) ||
      !write_default_file (config_dir, "config.yaml", error))
    return FALSE;

  if (out_created != NULL)
    *out_created = TRUE;

  return TRUE;
}

/* The settings that exitbox_config_check_value() checks on their own. */
typedef enum
{
  SETTING_BOOLEAN,
  SETTING_MEMORY,
  SETTING_CPUS,
  SETTING_RUNTIME,
  SETTING_BASE,
  SETTING_BASE_IMAGE,
  SETTING_PROXY_IDLE_MINUTES,
} SettingKind;

static const struct
{
  const char  *key_path;
  SettingKind  kind;
} checked_settings[] = {
  { "settings.default_flags.memory", SETTING_MEMORY },
  { "settings.default_flags.cpus", SETTING_CPUS },
  { "settings.default_flags.read_only", SETTING_BOOLEAN },
  { "settings.default_flags.no_env", SETTING_BOOLEAN },
  { "settings.default_flags.no_firewall", SETTING_BOOLEAN },
  { "settings.auto_update", SETTING_BOOLEAN },
  { "settings.status_bar", SETTING_BOOLEAN },
  { "settings.runtime", SETTING_RUNTIME },
  { "settings.base", SETTING_BASE },
  { "settings.base_image", SETTING_BASE_IMAGE },
  { "settings.proxy_idle_minutes", SETTING_PROXY_IDLE_MINUTES },
};

static gboolean
setting_value_is_valid (SettingKind  kind,
                        const char  *value)
{
  gboolean boolean;
  guint64 minutes;

  switch (kind)
    {
    case SETTING_BOOLEAN:
      return exitbox_yaml_parse_boolean (value, &boolean);
    case SETTING_MEMORY:
      return memory_is_valid (value);
    case SETTING_CPUS:
      return cpus_is_valid (value);
    case SETTING_RUNTIME:
      return g_ascii_strcasecmp (value, "auto") == 0 ||
             g_ascii_strcasecmp (value, "podman") == 0 ||
             g_ascii_strcasecmp (value, "docker") == 0;
    case SETTING_BASE:
      return g_ascii_strcasecmp (value, "debian") == 0 ||
             g_ascii_strcasecmp (value, "alpine") == 0;
    case SETTING_BASE_IMAGE:
      /* An empty value unsets the image, as in the file. */
      return value[0] == '\0' || exitbox_image_reference_validate (value, NULL);
    case SETTING_PROXY_IDLE_MINUTES:
      return g_ascii_string_to_unsigned (value, 10, 0, PROXY_IDLE_MINUTES_MAX, &minutes, NULL);
    default:
      g_assert_not_reached ();
    }
}

static char *
dup_setting_accepted (SettingKind kind)
{
  switch (kind)
    {
    case SETTING_BOOLEAN:
      return g_strdup (boolean_accepted ());
    case SETTING_MEMORY:
      return g_strdup (memory_accepted ());
    case SETTING_CPUS:
      return g_strdup (cpus_accepted ());
    case SETTING_RUNTIME:
      return g_strdup (runtime_accepted ());
    case SETTING_BASE:
      return g_strdup (base_accepted ());
    case SETTING_BASE_IMAGE:
      return g_strdup (image_accepted ());
    case SETTING_PROXY_IDLE_MINUTES:
      return dup_proxy_idle_accepted ();
    default:
      g_assert_not_reached ();
    }
}

gboolean
exitbox_config_check_value (const char * const  *key_path,
                            const char          *value,
                            GError             **error)
{
  g_autofree char *joined = NULL;

  g_return_val_if_fail (key_path != NULL && key_path[0] != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  joined = g_strjoinv (".", (char **) key_path);

  for (guint i = 0; i < G_N_ELEMENTS (checked_settings); i++)
    {
      g_autofree char *accepted = NULL;

      if (!g_str_equal (checked_settings[i].key_path, joined))
        continue;

      if (setting_value_is_valid (checked_settings[i].kind, value))
        return TRUE;

      accepted = dup_setting_accepted (checked_settings[i].kind);
      g_set_error (error, EXITBOX_CONFIG_ERROR, EXITBOX_CONFIG_ERROR_INVALID_VALUE,
                   _("“%s” is not a valid value for %s. Enter %s."),
                   value, joined, accepted);
      return FALSE;
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               _("%s is not a setting that can be changed on its own."), joined);
  return FALSE;
}

gboolean
exitbox_config_set_value_in_file (const char          *path,
                                  const char * const  *key_path,
                                  const char          *value,
                                  gboolean            *out_changed,
                                  GError             **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *edited = NULL;
  g_autoptr(ExitboxConfig) config = NULL;
  g_autoptr(GError) check_error = NULL;
  gsize length = 0;
  gsize edited_length = 0;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (key_path != NULL && key_path[0] != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (out_changed != NULL)
    *out_changed = FALSE;

  /* A value that is invalid on its own is named without a file position,
   * because the user typed it and it is not in the file yet. Other keys
   * are checked with the whole edited file below.
   */
  if (!exitbox_config_check_value (key_path, value, &check_error) &&
      !g_error_matches (check_error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT))
    {
      g_propagate_error (error, g_steal_pointer (&check_error));
      return FALSE;
    }

  if (!g_file_get_contents (path, &contents, &length, error))
    return FALSE;

  /* A file that does not load as a configuration is left as written. */
  config = exitbox_config_load_data (contents, (gssize) length, path, error);
  if (config == NULL)
    return FALSE;

  edited = exitbox_yaml_set_scalar (contents, (gssize) length, path, key_path, value,
                                    &edited_length, error);
  if (edited == NULL)
    return FALSE;

  if (edited_length == length && memcmp (edited, contents, length) == 0)
    return TRUE;

  /* The save checks the whole edited file, so an invalid value is named. */
  if (!exitbox_config_save_data_to_file (path, edited, edited_length, error))
    return FALSE;

  if (out_changed != NULL)
    *out_changed = TRUE;

  return TRUE;
}
