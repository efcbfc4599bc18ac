/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "exitbox-agent.h"
#include "exitbox-catalogue.h"
#include "exitbox-containerfile.h"
#include "exitbox-download.h"
#include "exitbox-image-builder.h"
#include "exitbox-paths.h"
#include "exitbox-project-registry.h"

/* Lines of build output quoted in the error of a failed build. */
#define FAILURE_TAIL_LINES 20
#define PROFILES_HASH_LENGTH 16
#define COPY_CHUNK_SIZE (64 * 1024)

#define LABEL_VERSION       "exitbox.version"
#define LABEL_BASE_IMAGE    "exitbox.base.image"
#define LABEL_BASE_FAMILY   "exitbox.base.family"
#define LABEL_BASE_DIGEST   "exitbox.base.digest"
#define LABEL_UID           "exitbox.uid"
#define LABEL_GID           "exitbox.gid"
#define LABEL_AGENT         "exitbox.agent"
#define LABEL_AGENT_VERSION "exitbox.agent.version"
#define LABEL_PARENT        "exitbox.parent"
#define LABEL_PROJECT       "exitbox.project"
#define LABEL_PROFILES_HASH "exitbox.profiles.hash"
#define LABEL_TOOLS_HASH    "exitbox.tools.hash"

struct _ExitboxImageBuilder
{
  GObject        parent_instance;

  ExitboxEngine    *engine;
  ExitboxConfig    *config;
  ExitboxCatalogue *catalogue;   /* loaded on first use */
  gboolean          allow_unverified;
  gboolean          check_updates;
};

G_DEFINE_FINAL_TYPE (ExitboxImageBuilder, exitbox_image_builder, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ENGINE,
  PROP_CONFIG,
  N_PROPS
};

enum
{
  SIGNAL_PROGRESS,
  SIGNAL_OUTPUT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Names and labels. */

char *
exitbox_image_dup_core_name (const char *agent_id)
{
  g_return_val_if_fail (agent_id != NULL, NULL);

  return g_strdup_printf ("exitbox-%s-core", agent_id);
}

/* Project keys end in "_" and a hash, so no key can produce the core name. */
char *
exitbox_image_dup_project_name (const char *agent_id,
                                const char *project_key)
{
  g_return_val_if_fail (agent_id != NULL, NULL);
  g_return_val_if_fail (project_key != NULL, NULL);

  return g_strdup_printf ("exitbox-%s-%s", agent_id, project_key);
}

char *
exitbox_image_dup_profiles_hash (const char * const *profiles)
{
  g_autofree char *joined = NULL;
  g_autofree char *digest = NULL;

  joined = profiles != NULL ? g_strjoinv (",", (char **) profiles) : g_strdup ("");
  digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, joined, -1);

  return g_strndup (digest, PROFILES_HASH_LENGTH);
}

char *
exitbox_image_dup_tools_hash (const char * const *tools)
{
  return exitbox_image_dup_profiles_hash (tools);
}

/* podman prints bare IDs and docker prefixes them with "sha256:", so the
 * labels store the bare form.
 */
static char *
dup_bare_image_id (const char *id)
{
  if (id == NULL)
    return NULL;
  if (g_str_has_prefix (id, "sha256:"))
    id += strlen ("sha256:");

  return g_strstrip (g_strdup (id));
}

/* Image names must be lower case in both engines. */
static gboolean
is_image_name_part (const char *text)
{
  if (text == NULL || *text == '\0' || !(g_ascii_islower (text[0]) || g_ascii_isdigit (text[0])))
    return FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && strchr ("._-", *p) == NULL)
        return FALSE;
    }

  return TRUE;
}

/* The labels a layer would get if it were built now. */
typedef struct
{
  const char *name;
  char       *value;
} ExpectedLabel;

static void
expected_labels_free (GArray *labels)
{
  for (guint i = 0; i < labels->len; i++)
    g_free (g_array_index (labels, ExpectedLabel, i).value);
  g_array_unref (labels);
}

static void
add_expected_label (GArray     *labels,
                    const char *name,
                    const char *value)
{
  ExpectedLabel label = { name, g_strdup (value != NULL ? value : "") };

  g_array_append_val (labels, label);
}

static GArray *
new_expected_labels (void)
{
  GArray *labels = g_array_new (FALSE, FALSE, sizeof (ExpectedLabel));

  add_expected_label (labels, LABEL_VERSION, PACKAGE_VERSION);
  return labels;
}

static GArray *
expected_base_labels (ExitboxImageBuilder *self)
{
  GArray *labels = new_expected_labels ();
  g_autofree char *from_image = exitbox_config_dup_effective_base_image (self->config);
  g_autofree char *uid = g_strdup_printf ("%u", (guint) getuid ());
  g_autofree char *gid = g_strdup_printf ("%u", (guint) getgid ());
  ExitboxBaseFamily family = exitbox_config_get_base_family (self->config);
  g_autofree char *digest = NULL;
  g_autoptr(GError) error = NULL;

  /* The digest comes from resources built into ExitBox, so it fails only
   * when the build itself is broken; an empty value then forces a rebuild,
   * which reports the same error.
   */
  digest = exitbox_containerfile_dup_base_digest (family, &error);
  if (digest == NULL)
    g_warning ("Cannot compute the base layer's digest: %s", error->message);

  add_expected_label (labels, LABEL_BASE_IMAGE, from_image);
  add_expected_label (labels, LABEL_BASE_FAMILY, exitbox_base_family_to_string (family));
  add_expected_label (labels, LABEL_BASE_DIGEST, digest);
  add_expected_label (labels, LABEL_UID, uid);
  add_expected_label (labels, LABEL_GID, gid);

  return labels;
}

/* The version pinned in agents.AGENT.version without a leading "v", or NULL. */
static const char *
get_pinned_version (ExitboxImageBuilder *self,
                    const char          *agent_id)
{
  const char *pin = exitbox_config_get_agent_version (self->config, agent_id);

  if (pin != NULL && pin[0] == 'v' && g_ascii_isdigit (pin[1]))
    pin++;

  return pin;
}

/* exitbox.agent.version is compared only for a pinned agent, because the
 * latest version is known only after a network request. ensure_async() with
 * update checks on (exitbox_image_builder_set_check_updates()) compares it
 * for the others.
 */
static GArray *
expected_core_labels (ExitboxImageBuilder *self,
                      const char          *agent_id,
                      const char          *base_id)
{
  GArray *labels = new_expected_labels ();
  const char *pin = get_pinned_version (self, agent_id);

  add_expected_label (labels, LABEL_AGENT, agent_id);
  add_expected_label (labels, LABEL_PARENT, base_id);
  if (pin != NULL)
    add_expected_label (labels, LABEL_AGENT_VERSION, pin);

  return labels;
}

/* What the project layer installs: the effective profiles of the project
 * and tools.user, for the configured family.
 */
typedef struct
{
  char      **profiles;
  char       *profiles_hash;
  char       *tools_hash;
  GPtrArray  *packages;        /* NULL-terminated, each name once */
  GPtrArray  *missing_downloads; /* "profile: tool" the layer does not install */
  GPtrArray  *downloads;       /* tools ExitBox downloads and verifies, such as "go" */
  gboolean    python_venv;
  gboolean    node_tools;
} ProjectSpec;

static void
project_spec_free (ProjectSpec *spec)
{
  g_strfreev (spec->profiles);
  g_free (spec->profiles_hash);
  g_free (spec->tools_hash);
  g_clear_pointer (&spec->packages, g_ptr_array_unref);
  g_clear_pointer (&spec->missing_downloads, g_ptr_array_unref);
  g_clear_pointer (&spec->downloads, g_ptr_array_unref);
  g_free (spec);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ProjectSpec, project_spec_free)

static void
add_package_once (GPtrArray  *packages,
                  const char *name)
{
  if (!g_ptr_array_find_with_equal_func (packages, name, g_str_equal, NULL))
    g_ptr_array_add (packages, g_strdup (name));
}

char **
exitbox_image_builder_dup_profiles (ExitboxImageBuilder  *self,
                                    const char           *project_key,
                                    GError              **error)
{
  g_autofree char *registry_path = NULL;

  g_return_val_if_fail (EXITBOX_IS_IMAGE_BUILDER (self), NULL);
  g_return_val_if_fail (project_key != NULL, NULL);

  registry_path = exitbox_project_registry_dup_path ();
  return exitbox_project_registry_dup_profiles (registry_path, project_key,
                                                exitbox_config_get_profiles (self->config),
                                                error);
}

static ExitboxCatalogue *
get_catalogue (ExitboxImageBuilder  *self,
               GError              **error)
{
  if (self->catalogue == NULL)
    self->catalogue = exitbox_catalogue_load_default (error);

  return self->catalogue;
}

/* Fails when a profile is unknown, has neither a package for the family
 * nor a tool ExitBox downloads, or needs a download that has no build for
 * the family, so a layer is never labelled with a profile it does not
 * contain.
 */
static ProjectSpec *
project_spec_new (ExitboxImageBuilder  *self,
                  const char           *project_key,
                  GError              **error)
{
  g_autoptr(ProjectSpec) spec = g_new0 (ProjectSpec, 1);
  ExitboxBaseFamily family = exitbox_config_get_base_family (self->config);
  const char *family_name = exitbox_base_family_to_string (family);
  const char * const *tools = exitbox_config_get_user_tools (self->config);
  ExitboxCatalogue *catalogue;

  spec->profiles = exitbox_image_builder_dup_profiles (self, project_key, error);
  if (spec->profiles == NULL)
    return NULL;

  catalogue = get_catalogue (self, error);
  if (catalogue == NULL)
    return NULL;

  spec->profiles_hash = exitbox_image_dup_profiles_hash ((const char * const *) spec->profiles);
  spec->tools_hash = exitbox_image_dup_tools_hash (tools);
  spec->packages = g_ptr_array_new_with_free_func (g_free);
  spec->missing_downloads = g_ptr_array_new_with_free_func (g_free);
  spec->downloads = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; spec->profiles[i] != NULL; i++)
    {
      const char *profile = spec->profiles[i];
      g_auto(GStrv) packages = exitbox_catalogue_dup_packages (catalogue, profile, family, error);
      g_auto(GStrv) downloads = NULL;
      guint supported;

      if (packages == NULL)
        return NULL;

      downloads = exitbox_catalogue_dup_downloads (catalogue, profile);
      supported = 0;
      for (guint j = 0; downloads != NULL && downloads[j] != NULL; j++)
        {
          if (exitbox_tool_download_is_supported (downloads[j])
              && !exitbox_tool_download_supports_family (downloads[j], family))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           _("The profile “%s” cannot be installed on %s: its download %s "
                             "is linked against glibc and has no %s build. Remove it from "
                             "the project with “exitbox AGENT profile remove %s”, or set "
                             "settings.base to debian."),
                           profile, family_name, downloads[j], family_name, profile);
              return NULL;
            }

          if (exitbox_tool_download_is_supported (downloads[j]))
            {
              supported++;
              add_package_once (spec->downloads, downloads[j]);
            }
          else
            g_ptr_array_add (spec->missing_downloads,
                             g_strdup_printf ("%s: %s", profile, downloads[j]));
        }

      if (packages[0] == NULL && supported == 0 && downloads != NULL && downloads[0] != NULL)
        {
          g_autofree char *needs = g_strjoinv (", ", downloads);

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       _("The profile “%s” has no %s package: it needs downloads (%s) that "
                         "this version of ExitBox does not install yet. Remove it from the "
                         "project with “exitbox AGENT profile remove %s”, or from "
                         "“profiles” in config.yaml."),
                       profile, family_name, needs, profile);
          return NULL;
        }

      if (packages[0] == NULL && supported == 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       _("The profile “%s” has no %s package. Remove it from the project "
                         "with “exitbox AGENT profile remove %s”, from “profiles” in "
                         "config.yaml, or set settings.base to the other family."),
                       profile, family_name, profile);
          return NULL;
        }

      for (guint j = 0; packages[j] != NULL; j++)
        add_package_once (spec->packages, packages[j]);

      if (g_str_equal (profile, "python"))
        spec->python_venv = TRUE;
      if (g_str_equal (profile, "node"))
        spec->node_tools = TRUE;
    }

  for (guint i = 0; tools != NULL && tools[i] != NULL; i++)
    {
      if (!exitbox_containerfile_check_package_name (tools[i], error))
        {
          g_prefix_error (error, "tools.user: ");
          return NULL;
        }
      add_package_once (spec->packages, tools[i]);
    }

  g_ptr_array_add (spec->packages, NULL);
  return g_steal_pointer (&spec);
}

/* NULL with @error set when the project's profiles cannot be resolved. */
static GArray *
expected_project_labels (ExitboxImageBuilder  *self,
                         const char           *project_key,
                         const char           *core_id,
                         GError              **error)
{
  g_autoptr(ProjectSpec) spec = project_spec_new (self, project_key, error);
  GArray *labels;

  if (spec == NULL)
    return NULL;

  labels = new_expected_labels ();
  add_expected_label (labels, LABEL_PROJECT, project_key);
  add_expected_label (labels, LABEL_PARENT, core_id);
  add_expected_label (labels, LABEL_PROFILES_HASH, spec->profiles_hash);
  add_expected_label (labels, LABEL_TOOLS_HASH, spec->tools_hash);

  return labels;
}

static GArray *
expected_proxy_labels (ExitboxImageBuilder *self)
{
  GArray *labels = new_expected_labels ();
  g_autofree char *from_image = exitbox_config_dup_effective_base_image (self->config);

  add_expected_label (labels, LABEL_BASE_IMAGE, from_image);
  add_expected_label (labels, LABEL_BASE_FAMILY,
                      exitbox_base_family_to_string (exitbox_config_get_base_family (self->config)));

  return labels;
}

/* Returns NULL when @image exists with every expected label, otherwise
 * why it must be built, for the progress messages. Takes @labels.
 */
static char *
dup_rebuild_reason (ExitboxInspection *inspection,
                    const char        *image,
                    GArray            *labels)
{
  char *reason = NULL;

  if (!exitbox_inspection_has_image (inspection, image))
    {
      expected_labels_free (labels);
      return g_strdup (_("not built yet"));
    }

  for (guint i = 0; i < labels->len && reason == NULL; i++)
    {
      ExpectedLabel *label = &g_array_index (labels, ExpectedLabel, i);
      const char *actual = exitbox_inspection_get_image_label (inspection, image, label->name);

      if (g_strcmp0 (actual, label->value) != 0)
        reason = g_strdup_printf (_("label %s is “%s”, now “%s”"),
                                  label->name, actual != NULL ? actual : "", label->value);
    }

  expected_labels_free (labels);
  return reason;
}

static char *
dup_inspected_id (ExitboxInspection *inspection,
                  const char        *image)
{
  return dup_bare_image_id (exitbox_inspection_get_image_id (inspection, image));
}

/* Object. */

static void
exitbox_image_builder_dispose (GObject *object)
{
  ExitboxImageBuilder *self = EXITBOX_IMAGE_BUILDER (object);

  g_clear_object (&self->engine);
  g_clear_object (&self->config);
  g_clear_object (&self->catalogue);

  G_OBJECT_CLASS (exitbox_image_builder_parent_class)->dispose (object);
}

static void
exitbox_image_builder_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  ExitboxImageBuilder *self = EXITBOX_IMAGE_BUILDER (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      g_value_set_object (value, self->engine);
      break;

    case PROP_CONFIG:
      g_value_set_object (value, self->config);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
exitbox_image_builder_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  ExitboxImageBuilder *self = EXITBOX_IMAGE_BUILDER (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      self->engine = g_value_dup_object (value);
      break;

    case PROP_CONFIG:
      self->config = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
exitbox_image_builder_class_init (ExitboxImageBuilderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = exitbox_image_builder_dispose;
  object_class->get_property = exitbox_image_builder_get_property;
  object_class->set_property = exitbox_image_builder_set_property;

  properties[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL,
                         EXITBOX_TYPE_ENGINE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_CONFIG] =
    g_param_spec_object ("config", NULL, NULL,
                         EXITBOX_TYPE_CONFIG,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* (layer, message): "base", "core", "project" or "proxy", and a
   * translated line such as "Building exitbox-base (not built yet)".
   */
  signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  /* (line): one line of the engine's build output, valid UTF-8, without
   * its line break.
   */
  signals[SIGNAL_OUTPUT] =
    g_signal_new ("output",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
exitbox_image_builder_init (ExitboxImageBuilder *self)
{
}

ExitboxImageBuilder *
exitbox_image_builder_new (ExitboxEngine *engine,
                           ExitboxConfig *config)
{
  g_return_val_if_fail (EXITBOX_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (EXITBOX_IS_CONFIG (config), NULL);

  return g_object_new (EXITBOX_TYPE_IMAGE_BUILDER,
                       "engine", engine,
                       "config", config,
                       NULL);
}

void
exitbox_image_builder_set_allow_unverified (ExitboxImageBuilder *self,
                                            gboolean             allow_unverified)
{
  g_return_if_fail (EXITBOX_IS_IMAGE_BUILDER (self));

  self->allow_unverified = allow_unverified;
}

void
exitbox_image_builder_set_check_updates (ExitboxImageBuilder *self,
                                         gboolean             check_updates)
{
  g_return_if_fail (EXITBOX_IS_IMAGE_BUILDER (self));

  self->check_updates = check_updates;
}

/* State. */

char **
exitbox_image_builder_dup_inspect_names (ExitboxImageBuilder *self,
                                         const char          *agent_id,
                                         const char          *project_key)
{
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  g_autofree char *core_name = NULL;
  g_autofree char *project_name = NULL;

  g_return_val_if_fail (EXITBOX_IS_IMAGE_BUILDER (self), NULL);
  g_return_val_if_fail (agent_id != NULL, NULL);

  core_name = exitbox_image_dup_core_name (agent_id);
  g_strv_builder_add (names, EXITBOX_IMAGE_BASE);
  g_strv_builder_add (names, core_name);
  if (project_key != NULL)
    {
      project_name = exitbox_image_dup_project_name (agent_id, project_key);
      g_strv_builder_add (names, project_name);
    }
  g_strv_builder_add (names, EXITBOX_IMAGE_PROXY);

  return g_strv_builder_end (names);
}

ExitboxImageState
exitbox_image_builder_get_state (ExitboxImageBuilder *self,
                                 ExitboxInspection   *inspection,
                                 const char          *agent_id,
                                 const char          *project_key)
{
  g_autofree char *core_name = NULL;
  g_autofree char *project_name = NULL;
  g_autofree char *base_id = NULL;
  g_autofree char *core_id = NULL;
  g_autofree char *reason = NULL;

  g_return_val_if_fail (EXITBOX_IS_IMAGE_BUILDER (self), EXITBOX_IMAGE_STATE_MISSING);
  g_return_val_if_fail (EXITBOX_IS_INSPECTION (inspection), EXITBOX_IMAGE_STATE_MISSING);
  g_return_val_if_fail (agent_id != NULL, EXITBOX_IMAGE_STATE_MISSING);
  g_return_val_if_fail (project_key != NULL, EXITBOX_IMAGE_STATE_MISSING);

  core_name = exitbox_image_dup_core_name (agent_id);
  project_name = exitbox_image_dup_project_name (agent_id, project_key);

  if (!exitbox_inspection_has_image (inspection, project_name))
    return EXITBOX_IMAGE_STATE_MISSING;

  base_id = dup_inspected_id (inspection, EXITBOX_IMAGE_BASE);
  core_id = dup_inspected_id (inspection, core_name);

  reason = dup_rebuild_reason (inspection, EXITBOX_IMAGE_BASE, expected_base_labels (self));
  if (reason == NULL)
    reason = dup_rebuild_reason (inspection, core_name, expected_core_labels (self, agent_id, base_id));
  if (reason == NULL)
    {
      g_autoptr(GError) error = NULL;
      GArray *labels = expected_project_labels (self, project_key, core_id, &error);

      if (labels == NULL)
        reason = g_strdup (error->message);
      else
        reason = dup_rebuild_reason (inspection, project_name, labels);
    }

  if (reason != NULL)
    {
      g_debug ("%s is stale: %s", project_name, reason);
      return EXITBOX_IMAGE_STATE_STALE;
    }

  return EXITBOX_IMAGE_STATE_BUILT;
}

const char *
exitbox_image_builder_get_agent_version (ExitboxImageBuilder *self,
                                         ExitboxInspection   *inspection,
                                         const char          *agent_id)
{
  g_autofree char *core_name = NULL;

  g_return_val_if_fail (EXITBOX_IS_IMAGE_BUILDER (self), NULL);
  g_return_val_if_fail (EXITBOX_IS_INSPECTION (inspection), NULL);
  g_return_val_if_fail (agent_id != NULL, NULL);

  core_name = exitbox_image_dup_core_name (agent_id);
  return exitbox_inspection_get_image_label (inspection, core_name, LABEL_AGENT_VERSION);
}

gboolean
exitbox_image_builder_proxy_is_current (ExitboxImageBuilder *self,
                                        ExitboxInspection   *inspection)
{
  g_autofree char *reason = NULL;

  g_return_val_if_fail (EXITBOX_IS_IMAGE_BUILDER (self), FALSE);
  g_return_val_if_fail (EXITBOX_IS_INSPECTION (inspection), FALSE);

  reason = dup_rebuild_reason (inspection, EXITBOX_IMAGE_PROXY, expected_proxy_labels (self));
  return reason == NULL;
}

/* Filesystem helpers. */

/* Deletes a folder that ExitBox created, without following symbolic links. */
static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else if (g_unlink (child) != 0)
        g_warning ("Could not delete %s: %s", child, g_strerror (errno));
    }

  if (g_rmdir (path) != 0 && errno != ENOENT)
    g_warning ("Could not delete the build folder %s: %s", path, g_strerror (errno));
}

static gboolean
make_private_folder (const char  *path,
                     GError     **error)
{
  if (g_mkdir_with_parents (path, 0700) == 0)
    return TRUE;

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
               _("Could not create the folder %s: %s"), path, g_strerror (errno));
  return FALSE;
}

/* Copies @source to @destination and checks the copy against @sha256, so
 * the file that goes into the image is exactly the verified download even
 * if the cache changed after it was verified. A NULL @sha256 (an unverified
 * install the user allowed) skips the check.
 */
static gboolean
copy_verified_file (const char    *source,
                    const char    *destination,
                    const char    *sha256,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(GFile) source_file = g_file_new_for_path (source);
  g_autoptr(GFile) destination_file = g_file_new_for_path (destination);
  g_autoptr(GFileInputStream) input = NULL;
  g_autoptr(GFileOutputStream) output = NULL;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *buffer = g_malloc (COPY_CHUNK_SIZE);

  input = g_file_read (source_file, cancellable, error);
  if (input == NULL)
    return FALSE;
  output = g_file_replace (destination_file, NULL, FALSE, G_FILE_CREATE_PRIVATE, cancellable, error);
  if (output == NULL)
    return FALSE;

  for (;;)
    {
      gssize n_read = g_input_stream_read (G_INPUT_STREAM (input), buffer, COPY_CHUNK_SIZE,
                                           cancellable, error);

      if (n_read < 0)
        return FALSE;
      if (n_read == 0)
        break;

      g_checksum_update (checksum, buffer, n_read);
      if (!g_output_stream_write_all (G_OUTPUT_STREAM (output), buffer, n_read, NULL,
                                      cancellable, error))
        return FALSE;
    }

  if (!g_output_stream_close (G_OUTPUT_STREAM (output), cancellable, error))
    return FALSE;

  if (sha256 != NULL && !g_str_equal (g_checksum_get_string (checksum), sha256))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The cached download %s changed after it was verified "
                     "(SHA-256 %s, expected %s). Run the build again to download it anew."),
                   source, g_checksum_get_string (checksum), sha256);
      return FALSE;
    }

  return TRUE;
}

/* One image build: a private context folder, the engine's build command
 * with its output streamed line by line into signals and a log file, and
 * the new image's ID read from --iidfile.
 */

typedef struct
{
  char  *name;
  GBytes *contents;     /* written as is, or NULL */
  char  *source_path;   /* or copied from here and checked against sha256 */
  char  *sha256;
  int    mode;
} ContextFile;

static void
context_file_free (ContextFile *file)
{
  g_free (file->name);
  g_clear_pointer (&file->contents, g_bytes_unref);
  g_free (file->source_path);
  g_free (file->sha256);
  g_free (file);
}

typedef struct
{
  const char       *layer;
  char             *image;
  char             *reason;
  char             *containerfile;
  GPtrArray        *files;          /* ContextFile */

  char             *build_folder;   /* removed when the build ends */
  char             *context_folder;
  char             *image_id_path;
  char             *log_path;
  GOutputStream    *log;
  GSubprocess      *process;
  GDataInputStream *output;
  GQueue            tail;           /* the last FAILURE_TAIL_LINES lines */
  gint64            start_time;
  gboolean          no_cache;
} BuildData;

static void
build_data_free (BuildData *data)
{
  if (data->process != NULL)
    g_subprocess_force_exit (data->process);
  if (data->log != NULL)
    g_output_stream_close (data->log, NULL, NULL);
  if (data->build_folder != NULL)
    remove_tree (data->build_folder);

  g_free (data->image);
  g_free (data->reason);
  g_free (data->containerfile);
  g_clear_pointer (&data->files, g_ptr_array_unref);
  g_free (data->build_folder);
  g_free (data->context_folder);
  g_free (data->image_id_path);
  g_free (data->log_path);
  g_clear_object (&data->log);
  g_clear_object (&data->process);
  g_clear_object (&data->output);
  g_queue_clear_full (&data->tail, g_free);
  g_free (data);
}

static BuildData *
build_data_new (const char *layer,
                const char *image,
                const char *reason,
                char       *containerfile)
{
  BuildData *data = g_new0 (BuildData, 1);

  data->layer = layer;
  data->image = g_strdup (image);
  data->reason = g_strdup (reason);
  data->containerfile = containerfile;
  data->files = g_ptr_array_new_with_free_func ((GDestroyNotify) context_file_free);
  g_queue_init (&data->tail);

  return data;
}

static void
build_data_add_bytes (BuildData  *data,
                      const char *name,
                      GBytes     *contents,
                      int         mode)
{
  ContextFile *file = g_new0 (ContextFile, 1);

  file->name = g_strdup (name);
  file->contents = g_bytes_ref (contents);
  file->mode = mode;
  g_ptr_array_add (data->files, file);
}

static void
build_data_add_verified_copy (BuildData  *data,
                              const char *name,
                              const char *source_path,
                              const char *sha256)
{
  ContextFile *file = g_new0 (ContextFile, 1);

  file->name = g_strdup (name);
  file->source_path = g_strdup (source_path);
  file->sha256 = g_strdup (sha256);
  file->mode = 0755;
  g_ptr_array_add (data->files, file);
}

static void
emit_progress (ExitboxImageBuilder *self,
               const char          *layer,
               const char          *message)
{
  g_debug ("%s: %s", layer, message);
  g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, layer, message);
}

static guint
elapsed_seconds (gint64 start_time)
{
  return (guint) ((g_get_monotonic_time () - start_time) / G_USEC_PER_SEC);
}

/* Runs in a worker thread because an agent binary is large. The folder is
 * unique (mkdtemp), so concurrent builds of two projects never share one.
 */
static void
prepare_context_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  BuildData *data = task_data;
  g_autofree char *cache_dir = exitbox_dup_cache_dir ();
  g_autofree char *builds_folder = g_build_filename (cache_dir, "build", NULL);
  g_autofree char *template = NULL;
  g_autofree char *containerfile_path = NULL;
  GError *error = NULL;

  if (!make_private_folder (builds_folder, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  template = g_strdup_printf ("%s/%s-XXXXXX", builds_folder, data->image);
  if (g_mkdtemp_full (template, 0700) == NULL)
    {
      int saved_errno = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               _("Could not create a build folder in %s: %s"),
                               builds_folder, g_strerror (saved_errno));
      return;
    }
  data->build_folder = g_steal_pointer (&template);
  data->context_folder = g_build_filename (data->build_folder, "context", NULL);
  data->image_id_path = g_build_filename (data->build_folder, "image-id", NULL);

  if (!make_private_folder (data->context_folder, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  containerfile_path = g_build_filename (data->context_folder, "Containerfile", NULL);
  if (!g_file_set_contents (containerfile_path, data->containerfile, -1, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  for (guint i = 0; i < data->files->len; i++)
    {
      ContextFile *file = g_ptr_array_index (data->files, i);
      g_autofree char *path = g_build_filename (data->context_folder, file->name, NULL);
      gboolean written;

      if (file->contents != NULL)
        written = g_file_set_contents (path, g_bytes_get_data (file->contents, NULL),
                                       g_bytes_get_size (file->contents), &error);
      else
        written = copy_verified_file (file->source_path, path, file->sha256, cancellable, &error);

      if (!written)
        {
          g_task_return_error (task, error);
          return;
        }

      if (g_chmod (path, file->mode) != 0)
        {
          int saved_errno = errno;

          g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                                   _("Could not set the mode of %s: %s"),
                                   path, g_strerror (saved_errno));
          return;
        }
    }

  g_task_return_boolean (task, TRUE);
}

/* ~/.cache/exitbox/logs/build-IMAGE-TIMESTAMP.log, with a counter when two
 * builds of one image start within the same second.
 */
static GOutputStream *
create_log_file (const char  *image,
                 char       **out_path,
                 GError     **error)
{
  g_autofree char *cache_dir = exitbox_dup_cache_dir ();
  g_autofree char *logs_folder = g_build_filename (cache_dir, "logs", NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *timestamp = g_date_time_format (now, "%Y%m%d-%H%M%S");

  if (!make_private_folder (logs_folder, error))
    return NULL;

  for (guint attempt = 1; attempt <= 100; attempt++)
    {
      g_autofree char *name = NULL;
      g_autofree char *path = NULL;
      g_autoptr(GFile) file = NULL;
      g_autoptr(GError) local_error = NULL;
      GFileOutputStream *stream;

      if (attempt == 1)
        name = g_strdup_printf ("build-%s-%s.log", image, timestamp);
      else
        name = g_strdup_printf ("build-%s-%s-%u.log", image, timestamp, attempt);
      path = g_build_filename (logs_folder, name, NULL);
      file = g_file_new_for_path (path);

      stream = g_file_create (file, G_FILE_CREATE_PRIVATE, NULL, &local_error);
      if (stream != NULL)
        {
          *out_path = g_steal_pointer (&path);
          return G_OUTPUT_STREAM (stream);
        }

      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_EXISTS))
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      _("Could not create the build log %s: "), path);
          return NULL;
        }
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
               _("Could not create a build log in %s: too many logs for %s in one second."),
               logs_folder, image);
  return NULL;
}

static void
build_record_line (ExitboxImageBuilder *self,
                   BuildData           *data,
                   const char          *raw_line,
                   gsize                length)
{
  g_autofree char *line = g_utf8_make_valid (raw_line, length);
  gsize line_length = strlen (line);
  g_autoptr(GError) error = NULL;

  /* Output meant for a terminal may end its lines with "\r\n", so the '\r' goes. */
  while (line_length > 0 && line[line_length - 1] == '\r')
    line[--line_length] = '\0';

  if (data->log != NULL
      && (!g_output_stream_write_all (data->log, line, line_length, NULL, NULL, &error)
          || !g_output_stream_write_all (data->log, "\n", 1, NULL, NULL, &error)))
    {
      g_warning ("Could not write the build log %s, continuing without it: %s",
                 data->log_path, error->message);
      g_clear_object (&data->log);
    }

  g_queue_push_tail (&data->tail, g_strdup (line));
  if (g_queue_get_length (&data->tail) > FAILURE_TAIL_LINES)
    g_free (g_queue_pop_head (&data->tail));

  g_signal_emit (self, signals[SIGNAL_OUTPUT], 0, line);
}

static char *
build_dup_tail (BuildData *data)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (GList *l = data->tail.head; l != NULL; l = l->next)
    {
      g_string_append (text, "  ");
      g_string_append (text, l->data);
      g_string_append_c (text, '\n');
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Podman prints "Trying to pull", docker "pull access denied", and both
 * name the registry they could not reach.
 */
static gboolean
output_shows_failed_pull (const char *output)
{
  const char * const markers[] = {
    "Trying to pull", "pull access denied", "pinging container registry", NULL
  };

  for (guint i = 0; markers[i] != NULL; i++)
    {
      if (strstr (output, markers[i]) != NULL)
        return TRUE;
    }

  return FALSE;
}

/* The packages that apt ("E: Unable to locate package NAME") or apk
 * ("NAME (no such package):") could not find in @output, as a hint that
 * names them and where they can be removed, or "" when there are none.
 */
static char *
dup_missing_package_hint (const char *output)
{
  g_auto(GStrv) lines = g_strsplit (output, "\n", -1);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *list = NULL;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *apt = strstr (lines[i], "E: Unable to locate package ");
      const char *apk = strstr (lines[i], " (no such package)");
      g_autofree char *name = NULL;

      if (apt != NULL)
        name = g_strdup (apt + strlen ("E: Unable to locate package "));
      else if (apk != NULL)
        name = g_strndup (lines[i], apk - lines[i]);
      else
        continue;

      g_strstrip (name);
      if (name[0] != '\0' && !g_ptr_array_find_with_equal_func (names, name, g_str_equal, NULL))
        g_ptr_array_add (names, g_steal_pointer (&name));
    }

  if (names->len == 0)
    return g_strdup ("");

  g_ptr_array_add (names, NULL);
  list = g_strjoinv (", ", (char **) names->pdata);

  return g_strdup_printf (_("\nThe distribution has no package named %s. If you added it with "
                            "-t, remove it from tools.user in config.yaml; the next launch then "
                            "builds without it."),
                          list);
}

static void
build_wait_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ExitboxImageBuilder *self = g_task_get_source_object (task);
  BuildData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *image_id_text = NULL;
  g_autofree char *image_id = NULL;
  int exit_status;

  if (!g_subprocess_wait_finish (G_SUBPROCESS (source), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  exit_status = g_subprocess_get_if_exited (data->process)
                ? g_subprocess_get_exit_status (data->process)
                : 128 + g_subprocess_get_term_sig (data->process);
  g_clear_object (&data->process);
  if (data->log != NULL)
    g_output_stream_close (data->log, NULL, NULL);

  if (exit_status != 0)
    {
      g_autofree char *tail = build_dup_tail (data);
      g_autofree char *package_hint = dup_missing_package_hint (tail);

      message = g_strdup_printf (_("Building %s failed after %u s"),
                                 data->image, elapsed_seconds (data->start_time));
      emit_progress (self, data->layer, message);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("Building the image %s failed (the engine exited with "
                                 "status %d). The last lines of its output:\n%s"
                                 "The full log is %s.%s%s"),
                               data->image, exit_status, tail, data->log_path,
                               output_shows_failed_pull (tail)
                               ? _("\nThe image in its FROM line is not available locally and "
                                   "could not be pulled. Without a reachable registry, make a "
                                   "local base image with tools/make-base-image.sh and set "
                                   "settings.base_image in config.yaml (or EXITBOX_BASE_IMAGE) "
                                   "to its name.")
                               : "",
                               package_hint);
      return;
    }

  if (!g_file_get_contents (data->image_id_path, &image_id_text, NULL, &error))
    {
      g_prefix_error (&error, _("The engine built %s but did not write its image ID: "),
                      data->image);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  image_id = dup_bare_image_id (image_id_text);
  if (*image_id == '\0')
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               _("The engine built %s but wrote an empty image ID to %s."),
                               data->image, data->image_id_path);
      return;
    }

  message = g_strdup_printf (_("Built %s in %u s"), data->image, elapsed_seconds (data->start_time));
  emit_progress (self, data->layer, message);
  g_task_return_pointer (task, g_steal_pointer (&image_id), g_free);
}

static void
build_read_line_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ExitboxImageBuilder *self = g_task_get_source_object (task);
  BuildData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  GCancellable *cancellable = g_task_get_cancellable (task);
  gsize length;

  line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source), result, &length, &error);
  if (error != NULL)
    {
      /* build_data_free() stops the engine. */
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (line == NULL)
    {
      g_subprocess_wait_async (data->process, cancellable, build_wait_cb, g_steal_pointer (&task));
      return;
    }

  build_record_line (self, data, line, length);
  g_data_input_stream_read_line_async (data->output, G_PRIORITY_DEFAULT, cancellable,
                                       build_read_line_cb, g_steal_pointer (&task));
}

static void
build_prepare_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ExitboxImageBuilder *self = g_task_get_source_object (task);
  BuildData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *containerfile_path = NULL;
  GCancellable *cancellable = g_task_get_cancellable (task);
  GInputStream *stdout_pipe;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data->log = create_log_file (data->image, &data->log_path, &error);
  if (data->log == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  containerfile_path = g_build_filename (data->context_folder, "Containerfile", NULL);

  {
    g_autoptr(GPtrArray) args = g_ptr_array_new ();

    g_ptr_array_add (args, (gpointer) "build");
    /* A failed step leaves no build container behind, which would hold its
     * parent image and stop `exitbox clean` from removing it.
     */
    g_ptr_array_add (args, (gpointer) "--force-rm");
    if (data->no_cache)
      g_ptr_array_add (args, (gpointer) "--no-cache");
    g_ptr_array_add (args, (gpointer) "--iidfile");
    g_ptr_array_add (args, data->image_id_path);
    g_ptr_array_add (args, (gpointer) "-t");
    g_ptr_array_add (args, data->image);
    g_ptr_array_add (args, (gpointer) "-f");
    g_ptr_array_add (args, containerfile_path);
    g_ptr_array_add (args, data->context_folder);
    g_ptr_array_add (args, NULL);

    data->process = exitbox_engine_spawn (self->engine, (const char * const *) args->pdata,
                                          G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                          G_SUBPROCESS_FLAGS_STDERR_MERGE,
                                          &error);
  }
  if (data->process == NULL)
    {
      g_prefix_error (&error, _("Could not start the build of %s: "), data->image);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  stdout_pipe = g_subprocess_get_stdout_pipe (data->process);
  data->output = g_data_input_stream_new (stdout_pipe);
  g_data_input_stream_set_newline_type (data->output, G_DATA_STREAM_NEWLINE_TYPE_LF);

  g_data_input_stream_read_line_async (data->output, G_PRIORITY_DEFAULT, cancellable,
                                       build_read_line_cb, g_steal_pointer (&task));
}

/* Builds one image from @data (taken) and returns its bare image ID. */
static void
build_image_async (ExitboxImageBuilder *self,
                   BuildData           *data,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) prepare_task = NULL;
  g_autofree char *message = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, build_image_async);
  g_task_set_task_data (task, data, (GDestroyNotify) build_data_free);

  data->start_time = g_get_monotonic_time ();
  message = g_strdup_printf (_("Building %s (%s)"), data->image, data->reason);
  emit_progress (self, data->layer, message);

  prepare_task = g_task_new (self, cancellable, build_prepare_cb, g_steal_pointer (&task));
  g_task_set_source_tag (prepare_task, prepare_context_thread);
  g_task_set_task_data (prepare_task, data, NULL);
  g_task_run_in_thread (prepare_task, prepare_context_thread);
}

static char *
build_image_finish (ExitboxImageBuilder  *self,
                    GAsyncResult         *result,
                    GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The ensure operation: base, agent core, project, proxy, each built only
 * when dup_rebuild_reason() finds it missing or stale.
 */

typedef struct
{
  char                   *agent_id;
  char                   *project_key;
  const ExitboxAgentInfo *agent;
  gboolean                proxy_only;
  gboolean                force;         /* rebuild core and project whatever their labels */
  ExitboxInspection      *inspection;
  char                   *base_id;
  char                   *core_id;
  char                   *core_reason;
  ExitboxAgentRelease    *release;
  char                   *project_reason;
  GPtrArray              *tools;          /* profile tools to download, such as "go" */
  guint                   tool_index;     /* the tool being downloaded */
  ExitboxAgentRelease    *tool_release;   /* its release */
  GHashTable             *tool_paths;     /* tool → verified download */
  GHashTable             *tool_sha256;    /* tool → its SHA-256 */
} EnsureData;

static void
ensure_data_free (EnsureData *data)
{
  g_free (data->agent_id);
  g_free (data->project_key);
  g_clear_object (&data->inspection);
  g_free (data->base_id);
  g_free (data->core_id);
  g_free (data->core_reason);
  g_clear_pointer (&data->release, exitbox_agent_release_free);
  g_free (data->project_reason);
  g_clear_pointer (&data->tools, g_ptr_array_unref);
  g_clear_pointer (&data->tool_release, exitbox_agent_release_free);
  g_clear_pointer (&data->tool_paths, g_hash_table_unref);
  g_clear_pointer (&data->tool_sha256, g_hash_table_unref);
  g_free (data);
}

static void ensure_core (GTask *task);
static void ensure_project (GTask *task);
static void ensure_proxy (GTask *task);

/* Finishes a layer's build and returns the new image's id. On failure it
 * returns the build's error on @task and NULL to the caller.
 */
static char *
dup_built_image_id (GTask        *task,
                    GObject      *source,
                    GAsyncResult *result)
{
  g_autoptr(GError) error = NULL;
  char *image_id;

  image_id = build_image_finish (EXITBOX_IMAGE_BUILDER (source), result, &error);
  if (image_id == NULL)
    g_task_return_error (task, g_steal_pointer (&error));

  return image_id;
}

static void
ensure_proxy_built_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autofree char *image_id = dup_built_image_id (task, source, result);

  if (image_id != NULL)
    g_task_return_boolean (task, TRUE);
}

static void
ensure_proxy (GTask *task)
{
  ExitboxImageBuilder *self = g_task_get_source_object (task);
  EnsureData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *from_image = NULL;
  char *containerfile;

  reason = dup_rebuild_reason (data->inspection, EXITBOX_IMAGE_PROXY, expected_proxy_labels (self));
  if (reason == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  from_image = exitbox_config_dup_effective_base_image (self->config);
  containerfile = exitbox_containerfile_proxy (exitbox_config_get_base_family (self->config),
                                               from_image, &error);
  if (containerfile == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  build_image_async (self, build_data_new ("proxy", EXITBOX_IMAGE_PROXY, reason, containerfile),
                     cancellable, ensure_proxy_built_cb, g_object_ref (task));
}

static void
ensure_project_built_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autofree char *image_id = dup_built_image_id (task, source, result);

  if (image_id != NULL)
    ensure_proxy (task);
}

/* Points the field of @params for @tool at @file_name, the name of its
 * verified download in the build context.
 */
static void
set_tool_file (ExitboxProjectLayerParams *params,
               const char                *tool,
               const char                *file_name)
{
  if (g_str_equal (tool, "go"))
    params->go_archive = file_name;
  else if (g_str_equal (tool, "golangci-lint"))
    params->golangci_lint_archive = file_name;
  else if (g_str_equal (tool, "kubectl"))
    params->kubectl_binary = file_name;
  else if (g_str_equal (tool, "helm"))
    params->helm_archive = file_name;
  else if (g_str_equal (tool, "opentofu"))
    params->opentofu_archive = file_name;
  else if (g_str_equal (tool, "docker-compose"))
    params->docker_compose_binary = file_name;
  else if (g_str_equal (tool, "gradle"))
    params->gradle_archive = file_name;
  else if (g_str_equal (tool, "rustup"))
    params->rustup_init = file_name;
  else if (g_str_equal (tool, "flutter"))
    params->flutter_archive = file_name;
  else
    g_assert_not_reached ();
}

/* Builds the project layer, with the verified tool downloads that
 * ensure_project_next_tool() collected.
 */
static void
ensure_project_build (GTask *task)
{
  ExitboxImageBuilder *self = g_task_get_source_object (task);
  EnsureData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *core_name = exitbox_image_dup_core_name (data->agent_id);
  g_autofree char *project_name = exitbox_image_dup_project_name (data->agent_id, data->project_key);
  g_autoptr(GPtrArray) file_names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(ProjectSpec) spec = NULL;
  ExitboxProjectLayerParams params = { 0 };
  BuildData *build;
  char *containerfile;

  spec = project_spec_new (self, data->project_key, &error);
  if (spec == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  for (guint i = 0; i < spec->missing_downloads->len; i++)
    {
      g_autofree char *message =
        g_strdup_printf (_("Not installing %s: ExitBox does not download this tool yet"),
                         (const char *) g_ptr_array_index (spec->missing_downloads, i));
      emit_progress (self, "project", message);
    }

  params.from_image = core_name;
  params.from_image_id = data->core_id;
  params.project_key = data->project_key;
  params.profiles_hash = spec->profiles_hash;
  params.tools_hash = spec->tools_hash;
  params.family = exitbox_config_get_base_family (self->config);
  params.packages = (const char * const *) spec->packages->pdata;
  params.python_venv = spec->python_venv;
  params.node_tools = spec->node_tools;
  params.uid = getuid ();
  params.gid = getgid ();
  /* Each download goes into the context under its own file name, which
   * differs between the tools.
   */
  for (guint i = 0; i < data->tools->len; i++)
    {
      const char *tool = g_ptr_array_index (data->tools, i);
      const char *path = g_hash_table_lookup (data->tool_paths, tool);
      char *file_name = g_path_get_basename (path);

      g_ptr_array_add (file_names, file_name);
      set_tool_file (&params, tool, file_name);
    }

  containerfile = exitbox_containerfile_project (&params, &error);
  if (containerfile == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  build = build_data_new ("project", project_name, data->project_reason, containerfile);
  build->no_cache = data->force;
  for (guint i = 0; i < data->tools->len; i++)
    {
      const char *tool = g_ptr_array_index (data->tools, i);

      build_data_add_verified_copy (build, g_ptr_array_index (file_names, i),
                                    g_hash_table_lookup (data->tool_paths, tool),
                                    g_hash_table_lookup (data->tool_sha256, tool));
    }
  build_image_async (self, build, cancellable, ensure_project_built_cb, g_object_ref (task));
}

static void ensure_project_next_tool (GTask *task);

static void
ensure_project_tool_downloaded_cb (GObject      *source,
                                   GAsyncResult *result,
                                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ExitboxImageBuilder *self = g_task_get_source_object (task);
  EnsureData *data = g_task_get_task_data (task);
  const char *tool = g_ptr_array_index (data->tools, data->tool_index);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *message = NULL;

  path = exitbox_download_release_finish (result, &error);
  if (path == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  message = g_strdup_printf (_("Verified %s %s (SHA-256 %s)"), tool, data->tool_release->version,
                             data->tool_release->sha256);
  emit_progress (self, "project", message);
  g_hash_table_insert (data->tool_paths, g_strdup (tool), g_steal_pointer (&path));
  g_hash_table_insert (data->tool_sha256, g_strdup (tool), g_strdup (data->tool_release->sha256));

  data->tool_index++;
  ensure_project_next_tool (task);
}

static void
ensure_project_tool_release_cb (GObject      *source,
                                GAsyncResult *result,
                                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EnsureData *data = g_task_get_task_data (task);
  const char *tool = g_ptr_array_index (data->tools, data->tool_index);
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&data->tool_release, exitbox_agent_release_free);
  data->tool_release = exitbox_tool_release_fetch_finish (result, &error);
  if (data->tool_release == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  exitbox_download_release_async (data->tool_release, tool, g_task_get_cancellable (task),
                                  ensure_project_tool_downloaded_cb, g_object_ref (task));
}

/* Downloads the profile tools one after the other, then builds. */
static void
ensure_project_next_tool (GTask *task)
{
  ExitboxImageBuilder *self = g_task_get_source_object (task);
  EnsureData *data = g_task_get_task_data (task);
  g_autofree char *message = NULL;
  const char *tool;

  if (data->tool_index >= data->tools->len)
    {
      ensure_project_build (task);
      return;
    }

  tool = g_ptr_array_index (data->tools, data->tool_index);
  message = g_strdup_printf (_("Looking up the latest %s release"), tool);
  emit_progress (self, "project", message);
  exitbox_tool_release_fetch_async (tool, exitbox_config_get_base_family (self->config),
                                    g_task_get_cancellable (task),
                                    ensure_project_tool_release_cb, g_object_ref (task));
}

static void
ensure_project (GTask *task)
{
  ExitboxImageBuilder *self = g_task_get_source_object (task);
  EnsureData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *project_name = exitbox_image_dup_project_name (data->agent_id, data->project_key);
  g_autoptr(ProjectSpec) spec = NULL;
  GArray *labels;

  spec = project_spec_new (self, data->project_key, &error);
  labels = spec != NULL ? expected_project_labels (self, data->project_key, data->core_id, &error)
                        : NULL;
  if (labels == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data->project_reason = dup_rebuild_reason (data->inspection, project_name, labels);
  if (data->project_reason == NULL && !data->force)
    {
      ensure_proxy (task);
      return;
    }
  if (data->project_reason == NULL)
    data->project_reason = g_strdup (_("rebuild requested"));

  data->tools = g_ptr_array_ref (spec->downloads);
  data->tool_index = 0;
  data->tool_paths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  data->tool_sha256 = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  ensure_project_next_tool (task);
}

static void
ensure_core_built_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EnsureData *data = g_task_get_task_data (task);

  g_clear_pointer (&data->core_id, g_free);
  data->core_id = dup_built_image_id (task, source, result);
  if (data->core_id != NULL)
    ensure_project (task);
}

static void
ensure_core_downloaded_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ExitboxImageBuilder *self = g_task_get_source_object (task);
  EnsureData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *binary_path = NULL;
  g_autofree char *binary_name = NULL;
  g_autofree char *core_name = exitbox_image_dup_core_name (data->agent_id);
  g_autofree char *message = NULL;
  ExitboxCoreLayerParams params = { 0 };
  BuildData *build;
  char *containerfile;

  binary_path = exitbox_download_release_finish (result, &error);
  if (binary_path == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (data->release->sha256 != NULL)
    message = g_strdup_printf (_("Verified %s %s (SHA-256 %s)"), data->agent->display_name,
                               data->release->version, data->release->sha256);
  else
    message = g_strdup_printf (_("WARNING: installing %s %s WITHOUT verification, because its "
                                 "release publishes no SHA-256 digest and unverified installs "
                                 "were allowed"),
                               data->agent->display_name, data->release->version);
  emit_progress (self, "core", message);

  params.family = exitbox_config_get_base_family (self->config);
  params.from_image = EXITBOX_IMAGE_BASE;
  params.from_image_id = data->base_id;
  params.agent_id = data->agent_id;
  params.agent_version = data->release->version;
  params.command = data->agent->command;
  if (data->release->archive_member != NULL)
    {
      binary_name = g_path_get_basename (binary_path);
      params.binary_name = binary_name;
      params.archive_member = data->release->archive_member;
    }
  else
    params.binary_name = data->agent->command;
  containerfile = exitbox_containerfile_core (&params, &error);
  if (containerfile == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  build = build_data_new ("core", core_name, data->core_reason, containerfile);
  build->no_cache = data->force;
  build_data_add_verified_copy (build, params.binary_name, binary_path, data->release->sha256);
  build_image_async (self, build, cancellable, ensure_core_built_cb, g_object_ref (task));
}

static void
ensure_core_release_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ExitboxImageBuilder *self = g_task_get_source_object (task);
  EnsureData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (g_str_equal (data->agent_id, "claude"))
    data->release = exitbox_claude_release_fetch_finish (result, &error);
  else
    data->release = exitbox_github_release_fetch_finish (result, &error);
  if (data->release == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* An update check of a current core: rebuild only for another version. */
  if (data->core_reason == NULL)
    {
      g_autofree char *core_name = exitbox_image_dup_core_name (data->agent_id);
      const char *installed = exitbox_inspection_get_image_label (data->inspection, core_name,
                                                                  LABEL_AGENT_VERSION);

      if (g_strcmp0 (installed, data->release->version) == 0)
        {
          message = g_strdup_printf (_("%s %s is the latest version"), data->agent->display_name,
                                     installed);
          emit_progress (self, "core", message);
          data->core_id = dup_inspected_id (data->inspection, core_name);
          ensure_project (task);
          return;
        }

      data->core_reason = g_strdup_printf (_("version %s is available, %s is installed"),
                                           data->release->version,
                                           installed != NULL ? installed : "?");
    }

  message = g_strdup_printf (_("Getting %s %s for %s"), data->agent->display_name,
                             data->release->version, data->release->platform);
  emit_progress (self, "core", message);

  exitbox_download_release_async (data->release, data->agent_id, cancellable,
                                  ensure_core_downloaded_cb, g_object_ref (task));
}

static void
ensure_core (GTask *task)
{
  ExitboxImageBuilder *self = g_task_get_source_object (task);
  EnsureData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autofree char *core_name = exitbox_image_dup_core_name (data->agent_id);
  g_autofree char *message = NULL;
  const char *pin = get_pinned_version (self, data->agent_id);

  data->core_reason = dup_rebuild_reason (data->inspection, core_name,
                                          expected_core_labels (self, data->agent_id, data->base_id));
  if (data->core_reason == NULL && data->force)
    data->core_reason = g_strdup (_("rebuild requested"));
  /* Without an update check the version on the image is kept: the latest
   * version is only known after a network request.
   */
  if (data->core_reason == NULL && (!self->check_updates || pin != NULL))
    {
      data->core_id = dup_inspected_id (data->inspection, core_name);
      ensure_project (task);
      return;
    }

  if (pin != NULL)
    message = g_strdup_printf (_("Looking up %s %s, the version pinned in config.yaml"),
                               data->agent->display_name, pin);
  else
    message = g_strdup_printf (_("Looking up the latest %s release"), data->agent->display_name);
  emit_progress (self, "core", message);

  /* Claude Code has its own release bucket; Codex and OpenCode publish
   * GitHub releases with a digest per asset.
   */
  if (g_str_equal (data->agent_id, "claude") && pin != NULL)
    exitbox_claude_release_fetch_version_async (exitbox_config_get_base_family (self->config), pin,
                                                cancellable, ensure_core_release_cb,
                                                g_object_ref (task));
  else if (g_str_equal (data->agent_id, "claude"))
    exitbox_claude_release_fetch_async (exitbox_config_get_base_family (self->config), cancellable,
                                        ensure_core_release_cb, g_object_ref (task));
  else
    exitbox_github_release_fetch_async (data->agent_id,
                                        exitbox_config_get_base_family (self->config),
                                        pin, self->allow_unverified,
                                        cancellable, ensure_core_release_cb, g_object_ref (task));
}

static void
ensure_base_built_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EnsureData *data = g_task_get_task_data (task);

  g_clear_pointer (&data->base_id, g_free);
  data->base_id = dup_built_image_id (task, source, result);
  if (data->base_id != NULL)
    ensure_core (task);
}

static void
ensure_base (GTask *task)
{
  ExitboxImageBuilder *self = g_task_get_source_object (task);
  EnsureData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) entrypoint = NULL;
  g_autoptr(GBytes) allow_script = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *from_image = NULL;
  ExitboxBaseLayerParams params = { 0 };
  BuildData *build;
  char *containerfile;

  data->base_id = dup_inspected_id (data->inspection, EXITBOX_IMAGE_BASE);
  reason = dup_rebuild_reason (data->inspection, EXITBOX_IMAGE_BASE, expected_base_labels (self));
  if (reason == NULL)
    {
      ensure_core (task);
      return;
    }

  from_image = exitbox_config_dup_effective_base_image (self->config);
  params.family = exitbox_config_get_base_family (self->config);
  params.from_image = from_image;
  params.uid = getuid ();
  params.gid = getgid ();
  containerfile = exitbox_containerfile_base (&params, &error);
  if (containerfile == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  entrypoint = exitbox_containerfile_get_entrypoint (&error);
  if (entrypoint == NULL)
    {
      g_free (containerfile);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  allow_script = exitbox_containerfile_get_allow_script (&error);
  if (allow_script == NULL)
    {
      g_free (containerfile);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  build = build_data_new ("base", EXITBOX_IMAGE_BASE, reason, containerfile);
  build_data_add_bytes (build, "entrypoint.sh", entrypoint, 0755);
  build_data_add_bytes (build, "exitbox-allow.sh", allow_script, 0755);
  build_image_async (self, build, cancellable, ensure_base_built_cb, g_object_ref (task));
}

static void
ensure_inspect_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EnsureData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  data->inspection = exitbox_engine_inspect_finish (EXITBOX_ENGINE (source), result, &error);
  if (data->inspection == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (data->proxy_only)
    ensure_proxy (task);
  else
    ensure_base (task);
}

/* Inspects first when the caller had no inspection. */
static void
ensure_start (GTask             *task,
              ExitboxInspection *inspection)
{
  ExitboxImageBuilder *self = g_task_get_source_object (task);
  EnsureData *data = g_task_get_task_data (task);
  g_auto(GStrv) names = NULL;

  if (inspection != NULL)
    {
      data->inspection = g_object_ref (inspection);
      if (data->proxy_only)
        ensure_proxy (task);
      else
        ensure_base (task);
      return;
    }

  if (data->proxy_only)
    {
      names = g_new0 (char *, 2);
      names[0] = g_strdup (EXITBOX_IMAGE_PROXY);
    }
  else
    {
      names = exitbox_image_builder_dup_inspect_names (self, data->agent_id, data->project_key);
    }

  exitbox_engine_inspect_async (self->engine, (const char * const *) names,
                                g_task_get_cancellable (task),
                                ensure_inspect_cb, g_object_ref (task));
}

static void
start_ensure (ExitboxImageBuilder *self,
              ExitboxInspection   *inspection,
              const char          *agent_id,
              const char          *project_key,
              gboolean             force,
              gpointer             source_tag,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(ProjectSpec) spec = NULL;
  g_autoptr(GError) error = NULL;
  EnsureData *data;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  data = g_new0 (EnsureData, 1);
  data->agent_id = g_strdup (agent_id);
  data->project_key = g_strdup (project_key);
  data->agent = exitbox_agent_lookup (agent_id);
  data->force = force;
  g_task_set_task_data (task, data, (GDestroyNotify) ensure_data_free);

  if (data->agent == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("Unknown agent “%s”. The agents are claude, codex and opencode."),
                               agent_id);
      return;
    }

  if (!data->agent->installable)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("%s is not installable yet: ExitBox has no verified "
                                 "download for it. Use claude for now."),
                               data->agent->display_name);
      return;
    }

  if (!is_image_name_part (agent_id) || !is_image_name_part (project_key))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("The project key “%s” cannot be part of an image name: "
                                 "it may contain only lower-case letters, digits and . _ -"),
                               project_key);
      return;
    }

  /* A profile the family cannot install fails before any layer is built. */
  spec = project_spec_new (self, project_key, &error);
  if (spec == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  ensure_start (task, inspection);
}

void
exitbox_image_builder_ensure_async (ExitboxImageBuilder *self,
                                    ExitboxInspection   *inspection,
                                    const char          *agent_id,
                                    const char          *project_key,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (EXITBOX_IS_IMAGE_BUILDER (self));
  g_return_if_fail (inspection == NULL || EXITBOX_IS_INSPECTION (inspection));
  g_return_if_fail (agent_id != NULL);
  g_return_if_fail (project_key != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  start_ensure (self, inspection, agent_id, project_key, FALSE,
                exitbox_image_builder_ensure_async, cancellable, callback, user_data);
}

void
exitbox_image_builder_rebuild_async (ExitboxImageBuilder *self,
                                     const char          *agent_id,
                                     const char          *project_key,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (EXITBOX_IS_IMAGE_BUILDER (self));
  g_return_if_fail (agent_id != NULL);
  g_return_if_fail (project_key != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  start_ensure (self, NULL, agent_id, project_key, TRUE,
                exitbox_image_builder_rebuild_async, cancellable, callback, user_data);
}

gboolean
exitbox_image_builder_rebuild_finish (ExitboxImageBuilder  *self,
                                      GAsyncResult         *result,
                                      GError              **error)
{
  g_return_val_if_fail (EXITBOX_IS_IMAGE_BUILDER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == exitbox_image_builder_rebuild_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
exitbox_image_builder_ensure_finish (ExitboxImageBuilder  *self,
                                     GAsyncResult         *result,
                                     GError              **error)
{
  g_return_val_if_fail (EXITBOX_IS_IMAGE_BUILDER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == exitbox_image_builder_ensure_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
exitbox_image_builder_ensure_proxy_async (ExitboxImageBuilder *self,
                                          ExitboxInspection   *inspection,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  EnsureData *data;

  g_return_if_fail (EXITBOX_IS_IMAGE_BUILDER (self));
  g_return_if_fail (inspection == NULL || EXITBOX_IS_INSPECTION (inspection));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, exitbox_image_builder_ensure_proxy_async);

  data = g_new0 (EnsureData, 1);
  data->proxy_only = TRUE;
  g_task_set_task_data (task, data, (GDestroyNotify) ensure_data_free);

  ensure_start (task, inspection);
}

gboolean
exitbox_image_builder_ensure_proxy_finish (ExitboxImageBuilder  *self,
                                           GAsyncResult         *result,
                                           GError              **error)
{
  g_return_val_if_fail (EXITBOX_IS_IMAGE_BUILDER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == exitbox_image_builder_ensure_proxy_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
