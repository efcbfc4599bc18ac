/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "exitbox-containerfile.h"
#include "exitbox-core-resources.h"

#define RESOURCE_PREFIX "/io/github/exitbox/ExitBox/core/"

#define MAX_WORD_LENGTH 128
#define MAX_LABEL_VALUE_LENGTH 1024

static gboolean
is_image_reference_char (char c)
{
  return g_ascii_isalnum (c) || strchr ("._-/:@[]", c) != NULL;
}

/* An image name goes into a FROM line unquoted. The character check comes
 * first and rejects line breaks on its own, whatever the reference grammar
 * check accepts.
 */
static gboolean
check_image_reference (const char  *value,
                       const char  *what,
                       GError     **error)
{
  if (value == NULL || *value == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The %s is missing: set an image name such as %s."),
                   what, "debian:bookworm-slim");
      return FALSE;
    }

  for (const char *p = value; *p != '\0'; p++)
    {
      if (!is_image_reference_char (*p))
        {
          g_autofree char *printable = g_strescape (value, NULL);

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("The %s “%s” is invalid: an image name may contain only "
                         "letters, digits and the characters . _ - / : @, "
                         "for example %s."),
                       what, printable, "debian:bookworm-slim");
          return FALSE;
        }
    }

  return exitbox_image_reference_validate (value, error);
}

/* Agent ids, commands and file names in the build context appear in COPY
 * and RUN lines, so only a plain file-name character set is allowed. This
 * also excludes the glob characters that COPY would expand.
 */
static gboolean
check_word (const char  *value,
            const char  *what,
            GError     **error)
{
  gsize length;

  if (value == NULL || *value == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The %s is missing."), what);
      return FALSE;
    }

  length = strlen (value);
  for (gsize i = 0; i < length; i++)
    {
      if (!g_ascii_isalnum (value[i]) && strchr ("._-", value[i]) == NULL)
        {
          g_autofree char *printable = g_strescape (value, NULL);

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("The %s “%s” is invalid: it may contain only letters, "
                         "digits and the characters . _ -"),
                       what, printable);
          return FALSE;
        }
    }

  if (!g_ascii_isalnum (value[0]) || length > MAX_WORD_LENGTH)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The %s “%s” is invalid: it starts with a letter or digit "
                     "and has at most %d characters."),
                   what, value, MAX_WORD_LENGTH);
      return FALSE;
    }

  return TRUE;
}

/* Returns @value escaped for the inside of a double-quoted LABEL value.
 * Backslash and double quote would end or change the value and "$" would
 * start a variable substitution, so all three get a backslash. A line break
 * cannot be represented in a LABEL value at all (a backslash before it is a
 * line continuation), so control characters are rejected. NULL is written
 * as the empty string.
 */
static char *
escape_label_value (const char  *value,
                    const char  *label,
                    GError     **error)
{
  g_autoptr(GString) escaped = NULL;

  if (value == NULL)
    return g_strdup ("");

  if (!g_utf8_validate (value, -1, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The value for the image label %s is not valid UTF-8."),
                   label);
      return NULL;
    }

  if (strlen (value) > MAX_LABEL_VALUE_LENGTH)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The value for the image label %s is longer than %d bytes."),
                   label, MAX_LABEL_VALUE_LENGTH);
      return NULL;
    }

  escaped = g_string_new (NULL);
  for (const char *p = value; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c))
        {
          g_autofree char *printable = g_strescape (value, NULL);

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("The value “%s” for the image label %s is invalid: "
                         "it contains a control character such as a line break."),
                       printable, label);
          return NULL;
        }

      if (c == '\\' || c == '"' || c == '$')
        g_string_append_c (escaped, '\\');
      g_string_append_unichar (escaped, c);
    }

  return g_string_free (g_steal_pointer (&escaped), FALSE);
}

/* A set of already checked placeholder values for one template. */
typedef struct
{
  GHashTable *values;
  GError     *error;
} Substitutions;

static void
substitutions_init (Substitutions *subst)
{
  subst->values = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  subst->error = NULL;
}

static void
substitutions_clear (Substitutions *subst)
{
  g_clear_pointer (&subst->values, g_hash_table_unref);
  g_clear_error (&subst->error);
}

/* A check of one template value, such as check_image_reference(). @what
 * names the value in messages.
 */
typedef gboolean (*ValueCheck) (const char  *value,
                                const char  *what,
                                GError     **error);

/* The first failed check is kept and later ones are skipped, so a caller
 * can add every value and test for an error once.
 */
static void
substitutions_add_checked (Substitutions *subst,
                           const char    *name,
                           const char    *value,
                           const char    *what,
                           ValueCheck     check)
{
  if (subst->error != NULL)
    return;
  if (check (value, what, &subst->error))
    g_hash_table_insert (subst->values, (gpointer) name, g_strdup (value));
}

static void
substitutions_add_label (Substitutions *subst,
                         const char    *name,
                         const char    *value,
                         const char    *label)
{
  char *escaped;

  if (subst->error != NULL)
    return;
  escaped = escape_label_value (value, label, &subst->error);
  if (escaped != NULL)
    g_hash_table_insert (subst->values, (gpointer) name, escaped);
}

static void
substitutions_add_number (Substitutions *subst,
                          const char    *name,
                          guint          value)
{
  g_hash_table_insert (subst->values, (gpointer) name, g_strdup_printf ("%u", value));
}

static GBytes *
lookup_resource (const char  *name,
                 GError     **error)
{
  g_autofree char *path = g_strconcat (RESOURCE_PREFIX, name, NULL);

  return g_resource_lookup_data (exitbox_core_get_resource (), path,
                                 G_RESOURCE_LOOKUP_FLAGS_NONE, error);
}

GBytes *
exitbox_containerfile_get_entrypoint (GError **error)
{
  return lookup_resource ("entrypoint.sh", error);
}

GBytes *
exitbox_containerfile_get_allow_script (GError **error)
{
  return lookup_resource ("exitbox-allow.sh", error);
}

static const char *
base_template_name (ExitboxBaseFamily family)
{
  return family == EXITBOX_BASE_FAMILY_ALPINE
         ? "containerfiles/base-alpine.in"
         : "containerfiles/base-debian.in";
}

/* The files that decide what the base layer contains besides its
 * parameters: the template and every file its build context copies.
 */
static const char * const base_content_resources[] = {
  "entrypoint.sh",
  "exitbox-allow.sh",
  NULL
};

char *
exitbox_containerfile_dup_base_digest (ExitboxBaseFamily   family,
                                       GError            **error)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GBytes) template = NULL;
  const char *digest;

  template = lookup_resource (base_template_name (family), error);
  if (template == NULL)
    return NULL;
  g_checksum_update (checksum, g_bytes_get_data (template, NULL), g_bytes_get_size (template));

  for (guint i = 0; base_content_resources[i] != NULL; i++)
    {
      g_autoptr(GBytes) bytes = lookup_resource (base_content_resources[i], error);

      if (bytes == NULL)
        return NULL;

      /* The name separates the files, so that moving bytes from one file to
       * the next changes the digest.
       */
      g_checksum_update (checksum, (const guchar *) base_content_resources[i],
                         strlen (base_content_resources[i]) + 1);
      g_checksum_update (checksum, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
    }

  digest = g_checksum_get_string (checksum);

  return g_strndup (digest, 16);
}

/* Replaces every @NAME@ in the template with its value. A placeholder
 * without a value is a bug in ExitBox, not in the user's input, but it is
 * still an error rather than a half-filled Containerfile.
 */
static char *
render_template (const char     *template_name,
                 Substitutions  *subst,
                 GError        **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GString) output = NULL;
  const char *text;
  const char *end;
  gsize size;

  if (subst->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&subst->error));
      return NULL;
    }

  bytes = lookup_resource (template_name, error);
  if (bytes == NULL)
    return NULL;

  text = g_bytes_get_data (bytes, &size);
  end = text + size;
  output = g_string_sized_new (size + 256);

  while (text < end)
    {
      const char *at = memchr (text, '@', end - text);
      const char *name_end;
      g_autofree char *name = NULL;
      const char *value;

      if (at == NULL)
        {
          g_string_append_len (output, text, end - text);
          break;
        }

      g_string_append_len (output, text, at - text);

      name_end = at + 1;
      while (name_end < end && (g_ascii_isupper (*name_end) || *name_end == '_'))
        name_end++;

      /* A lone "@" (for example in an image digest) is kept as it is. */
      if (name_end == at + 1 || name_end >= end || *name_end != '@')
        {
          g_string_append_c (output, '@');
          text = at + 1;
          continue;
        }

      name = g_strndup (at + 1, name_end - at - 1);
      value = g_hash_table_lookup (subst->values, name);
      if (value == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "The template %s uses the placeholder @%s@, which has no value",
                       template_name, name);
          return NULL;
        }

      g_string_append (output, value);
      text = name_end + 1;
    }

  return g_string_free (g_steal_pointer (&output), FALSE);
}

static void
add_common_labels (Substitutions *subst)
{
  substitutions_add_label (subst, "VERSION", PACKAGE_VERSION, "exitbox.version");
}

char *
exitbox_containerfile_base (const ExitboxBaseLayerParams  *params,
                            GError                       **error)
{
  Substitutions subst;
  g_autofree char *digest = NULL;
  char *text;

  g_return_val_if_fail (params != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  substitutions_init (&subst);
  add_common_labels (&subst);
  substitutions_add_checked (&subst, "FROM_IMAGE", params->from_image,
                             _("base image"), check_image_reference);
  substitutions_add_label (&subst, "BASE_IMAGE", params->from_image, "exitbox.base.image");
  substitutions_add_label (&subst, "BASE_FAMILY",
                           exitbox_base_family_to_string (params->family),
                           "exitbox.base.family");
  substitutions_add_number (&subst, "UID", params->uid);
  substitutions_add_number (&subst, "GID", params->gid);

  digest = exitbox_containerfile_dup_base_digest (params->family, error);
  if (digest == NULL)
    {
      substitutions_clear (&subst);
      return NULL;
    }
  substitutions_add_label (&subst, "BASE_DIGEST", digest, "exitbox.base.digest");

  text = render_template (base_template_name (params->family), &subst, error);
  substitutions_clear (&subst);

  return text;
}

/* Copies the binary, or the archive that contains it, from the build
 * context to /usr/local/bin. The values are checked words, so they go into
 * the lines unquoted.
 */
static char *
dup_core_install_steps (const ExitboxCoreLayerParams *params)
{
  if (params->archive_member == NULL)
    return g_strdup_printf ("COPY %s /usr/local/bin/%s\n"
                            "RUN chown root:root /usr/local/bin/%s \\\n"
                            " && chmod 0755 /usr/local/bin/%s\n",
                            params->binary_name, params->command, params->command,
                            params->command);

  /* The archive is unpacked into a folder of its own, so a member stored as
   * "./NAME" is found as well as "NAME".
   */
  return g_strdup_printf ("COPY %s /tmp/exitbox-agent.tar.gz\n"
                          "RUN mkdir /tmp/exitbox-agent \\\n"
                          " && tar -xzf /tmp/exitbox-agent.tar.gz -C /tmp/exitbox-agent \\\n"
                          " && install -o root -g root -m 0755 /tmp/exitbox-agent/%s "
                          "/usr/local/bin/%s \\\n"
                          " && rm -rf /tmp/exitbox-agent /tmp/exitbox-agent.tar.gz\n",
                          params->binary_name, params->archive_member, params->command);
}

char *
exitbox_containerfile_core (const ExitboxCoreLayerParams  *params,
                            GError                       **error)
{
  Substitutions subst;
  char *text;

  g_return_val_if_fail (params != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  substitutions_init (&subst);
  add_common_labels (&subst);
  substitutions_add_checked (&subst, "FROM_IMAGE", params->from_image,
                             _("base layer image"), check_image_reference);
  substitutions_add_checked (&subst, "AGENT", params->agent_id, _("agent id"), check_word);
  substitutions_add_checked (&subst, "BINARY_NAME", params->binary_name,
                             _("agent binary file name"), check_word);
  substitutions_add_checked (&subst, "COMMAND", params->command, _("agent command"), check_word);
  if (params->archive_member != NULL)
    substitutions_add_checked (&subst, "ARCHIVE_MEMBER", params->archive_member,
                               _("agent archive member"), check_word);
  substitutions_add_label (&subst, "AGENT_VERSION", params->agent_version, "exitbox.agent.version");
  substitutions_add_label (&subst, "PARENT", params->from_image_id, "exitbox.parent");
  if (subst.error == NULL)
    g_hash_table_insert (subst.values, (gpointer) "INSTALL_STEPS", dup_core_install_steps (params));

  text = render_template ("containerfiles/core.in", &subst, error);
  substitutions_clear (&subst);

  return text;
}

gboolean
exitbox_containerfile_check_package_name (const char  *name,
                                          GError     **error)
{
  gsize length = name != NULL ? strlen (name) : 0;

  if (length > 0 && length <= MAX_WORD_LENGTH &&
      (g_ascii_islower (name[0]) || g_ascii_isdigit (name[0])))
    {
      gsize i;

      for (i = 1; i < length; i++)
        {
          if (!g_ascii_islower (name[i]) && !g_ascii_isdigit (name[i]) &&
              strchr ("+-._", name[i]) == NULL)
            break;
        }
      if (i == length)
        return TRUE;
    }

  {
    g_autofree char *printable = g_strescape (name != NULL ? name : "", NULL);

    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 _("The package name “%s” is invalid: package names start with a "
                   "lower-case letter or digit and contain only lower-case letters, digits "
                   "and the characters + - . _ (at most %d characters)."),
                 printable, MAX_WORD_LENGTH);
  }
  return FALSE;
}

/* COPY of a verified download to /tmp/exitbox-@name, then @commands, under
 * a comment that names the tool as @title.
 */
static gboolean
append_tool_step (GString     *steps,
                  const char  *file_name,
                  const char  *what,
                  const char  *title,
                  const char  *name,
                  const char  *commands,
                  GError     **error)
{
  if (file_name == NULL)
    return TRUE;

  if (!check_word (file_name, what, error))
    return FALSE;

  g_string_append_printf (steps,
                          "\n# %s, checked on the host against the SHA-256 its publisher "
                          "releases.\n"
                          "COPY %s /tmp/exitbox-%s\n"
                          "%s",
                          title, file_name, name, commands);
  return TRUE;
}

/* Appends the install steps of the profile tools other than Go and
 * golangci-lint.
 */
static gboolean
append_tool_steps (GString                         *steps,
                   const ExitboxProjectLayerParams *params,
                   GError                         **error)
{
  g_autofree char *rustup_commands = NULL;
  g_autofree char *flutter_commands = NULL;

  if (!append_tool_step (steps, params->kubectl_binary, _("kubectl file name"), "kubectl", "kubectl",
                         "RUN install -o root -g root -m 0755 /tmp/exitbox-kubectl "
                         "/usr/local/bin/kubectl \\\n"
                         " && rm -f /tmp/exitbox-kubectl\n",
                         error))
    return FALSE;

  /* The archive contains linux-ARCH/helm. */
  if (!append_tool_step (steps, params->helm_archive, _("Helm archive file name"), "Helm", "helm",
                         "RUN mkdir /tmp/exitbox-helm.d \\\n"
                         " && tar -xzf /tmp/exitbox-helm -C /tmp/exitbox-helm.d \\\n"
                         " && install -o root -g root -m 0755 /tmp/exitbox-helm.d/linux-*/helm "
                         "/usr/local/bin/helm \\\n"
                         " && rm -rf /tmp/exitbox-helm /tmp/exitbox-helm.d\n",
                         error))
    return FALSE;

  if (!append_tool_step (steps, params->opentofu_archive, _("OpenTofu archive file name"), "OpenTofu", "tofu",
                         "RUN mkdir /tmp/exitbox-tofu.d \\\n"
                         " && tar -xzf /tmp/exitbox-tofu -C /tmp/exitbox-tofu.d tofu \\\n"
                         " && install -o root -g root -m 0755 /tmp/exitbox-tofu.d/tofu "
                         "/usr/local/bin/tofu \\\n"
                         " && rm -rf /tmp/exitbox-tofu /tmp/exitbox-tofu.d\n",
                         error))
    return FALSE;

  /* "docker compose" finds the plugin, "docker-compose" the link. */
  if (!append_tool_step (steps, params->docker_compose_binary, _("Docker Compose file name"),
                         "Docker Compose", "docker-compose",
                         "RUN install -D -o root -g root -m 0755 /tmp/exitbox-docker-compose "
                         "/usr/local/lib/docker/cli-plugins/docker-compose \\\n"
                         " && ln -sf /usr/local/lib/docker/cli-plugins/docker-compose "
                         "/usr/local/bin/docker-compose \\\n"
                         " && rm -f /tmp/exitbox-docker-compose\n",
                         error))
    return FALSE;

  /* The zip contains one folder, gradle-VERSION. */
  if (!append_tool_step (steps, params->gradle_archive, _("Gradle archive file name"), "Gradle", "gradle",
                         "RUN mkdir /tmp/exitbox-gradle.d \\\n"
                         " && unzip -q /tmp/exitbox-gradle -d /tmp/exitbox-gradle.d \\\n"
                         " && mv /tmp/exitbox-gradle.d/gradle-* /opt/gradle \\\n"
                         " && rm -rf /tmp/exitbox-gradle /tmp/exitbox-gradle.d\n"
                         "ENV PATH=/opt/gradle/bin:$PATH\n",
                         error))
    return FALSE;

  /* rustup-init fetches the toolchain from static.rust-lang.org while the
   * image builds, and rustup checks each toolchain archive against the
   * SHA-256 in its channel manifest itself. The folders belong to the
   * user, so "rustup component add" and "cargo install" work in sessions.
   */
  rustup_commands = g_strdup_printf ("RUN chmod 0755 /tmp/exitbox-rustup \\\n"
                                     " && RUSTUP_HOME=/opt/rustup CARGO_HOME=/opt/cargo "
                                     "/tmp/exitbox-rustup -y --no-modify-path "
                                     "--profile minimal --default-toolchain stable \\\n"
                                     " && chown -R %u:%u /opt/rustup /opt/cargo \\\n"
                                     " && rm -f /tmp/exitbox-rustup\n"
                                     "ENV RUSTUP_HOME=/opt/rustup \\\n"
                                     "    CARGO_HOME=/opt/cargo \\\n"
                                     "    PATH=/opt/cargo/bin:$PATH\n",
                                     params->uid, params->gid);
  if (!append_tool_step (steps, params->rustup_init, _("rustup-init file name"), "rustup-init", "rustup",
                         rustup_commands, error))
    return FALSE;

  if (params->flutter_archive != NULL && params->family == EXITBOX_BASE_FAMILY_ALPINE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("Flutter cannot be installed on an alpine image: it is linked against "
                     "glibc. Use a debian base."));
      return FALSE;
    }

  /* Flutter updates files in its own folder, so the user owns it, and git
   * must accept a repository owned by another uid when root runs it.
   */
  flutter_commands = g_strdup_printf ("RUN tar -xJf /tmp/exitbox-flutter -C /opt \\\n"
                                      " && chown -R %u:%u /opt/flutter \\\n"
                                      " && git config --system --add safe.directory /opt/flutter \\\n"
                                      " && rm -f /tmp/exitbox-flutter\n"
                                      "ENV PATH=/opt/flutter/bin:$PATH\n",
                                      params->uid, params->gid);
  return append_tool_step (steps, params->flutter_archive, _("Flutter archive file name"),
                           "Flutter", "flutter", flutter_commands, error);
}

/* The RUN and ENV lines of the project layer. The package names are
 * checked, so they can go into the RUN line unquoted.
 */
static char *
dup_project_install_steps (const ExitboxProjectLayerParams  *params,
                           GError                          **error)
{
  g_autoptr(GString) steps = g_string_new (NULL);
  gboolean alpine = params->family == EXITBOX_BASE_FAMILY_ALPINE;

  if (params->packages != NULL && params->packages[0] != NULL)
    {
      g_autoptr(GString) names = g_string_new (NULL);

      for (guint i = 0; params->packages[i] != NULL; i++)
        {
          if (!exitbox_containerfile_check_package_name (params->packages[i], error))
            return NULL;
          g_string_append_printf (names, " \\\n      %s", params->packages[i]);
        }

      g_string_append (steps, "\n# The packages of the project's profiles and tools.user.\n");
      if (alpine)
        g_string_append_printf (steps, "RUN apk add --no-cache%s\n", names->str);
      else
        g_string_append_printf (steps,
                                "ARG DEBIAN_FRONTEND=noninteractive\n"
                                "RUN apt-get update \\\n"
                                " && apt-get install -y --no-install-recommends%s \\\n"
                                " && rm -rf /var/lib/apt/lists/*\n",
                                names->str);
    }

  if (params->go_archive != NULL)
    {
      if (!check_word (params->go_archive, _("Go archive file name"), error))
        return NULL;

      g_string_append_printf (steps,
                              "\n# The Go toolchain, checked on the host against the SHA-256 "
                              "that Go publishes.\n"
                              "COPY %s /tmp/exitbox-go.tar.gz\n"
                              "RUN tar -xzf /tmp/exitbox-go.tar.gz -C /usr/local \\\n"
                              " && rm -f /tmp/exitbox-go.tar.gz\n"
                              "ENV PATH=/usr/local/go/bin:/home/user/go/bin:$PATH\n",
                              params->go_archive);
    }

  /* The archive holds one folder named after the release. */
  if (params->golangci_lint_archive != NULL)
    {
      if (!check_word (params->golangci_lint_archive, _("golangci-lint archive file name"), error))
        return NULL;

      g_string_append_printf (steps,
                              "\n# golangci-lint, checked on the host against the SHA-256 "
                              "its publisher releases.\n"
                              "COPY %s /tmp/exitbox-golangci-lint.tar.gz\n"
                              "RUN mkdir /tmp/exitbox-golangci-lint \\\n"
                              " && tar -xzf /tmp/exitbox-golangci-lint.tar.gz "
                              "-C /tmp/exitbox-golangci-lint \\\n"
                              " && install -o root -g root -m 0755 "
                              "/tmp/exitbox-golangci-lint/*/golangci-lint /usr/local/bin/golangci-lint \\\n"
                              " && rm -rf /tmp/exitbox-golangci-lint /tmp/exitbox-golangci-lint.tar.gz\n",
                              params->golangci_lint_archive);
    }

  if (!append_tool_steps (steps, params, error))
    return NULL;

  /* Debian's python3 refuses "pip install" outside a virtual environment
   * (PEP 668), so the environment comes first on PATH and belongs to the
   * user who runs the agent.
   */
  if (params->python_venv)
    g_string_append_printf (steps,
                            "\n# A Python virtual environment for pip, first on PATH.\n"
                            "RUN python3 -m venv /opt/venv \\\n"
                            " && chown -R %u:%u /opt/venv\n"
                            "ENV VIRTUAL_ENV=/opt/venv \\\n"
                            "    PATH=/opt/venv/bin:$PATH\n",
                            params->uid, params->gid);

  /* "npm install -g" writes to npm's prefix, which must be writable by the
   * user, so it moves into the home folder.
   */
  if (params->node_tools)
    g_string_append (steps,
                     "\n# npm installs global packages into the user's home.\n"
                     "ENV NPM_CONFIG_PREFIX=/home/user/.npm-global \\\n"
                     "    PATH=/home/user/.npm-global/bin:$PATH\n");

  g_string_append_c (steps, '\n');
  return g_string_free (g_steal_pointer (&steps), FALSE);
}

char *
exitbox_containerfile_project (const ExitboxProjectLayerParams  *params,
                               GError                          **error)
{
  Substitutions subst;
  char *install_steps;
  char *text;

  g_return_val_if_fail (params != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  install_steps = dup_project_install_steps (params, error);
  if (install_steps == NULL)
    return NULL;

  substitutions_init (&subst);
  add_common_labels (&subst);
  substitutions_add_checked (&subst, "FROM_IMAGE", params->from_image,
                             _("agent core image"), check_image_reference);
  substitutions_add_label (&subst, "PROJECT", params->project_key, "exitbox.project");
  substitutions_add_label (&subst, "PARENT", params->from_image_id, "exitbox.parent");
  substitutions_add_label (&subst, "PROFILES_HASH", params->profiles_hash, "exitbox.profiles.hash");
  substitutions_add_label (&subst, "TOOLS_HASH", params->tools_hash, "exitbox.tools.hash");
  g_hash_table_insert (subst.values, (gpointer) "INSTALL_STEPS", install_steps);

  text = render_template ("containerfiles/project.in", &subst, error);
  substitutions_clear (&subst);

  return text;
}

char *
exitbox_containerfile_proxy (ExitboxBaseFamily   family,
                             const char         *from_image,
                             GError            **error)
{
  Substitutions subst;
  char *text;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  substitutions_init (&subst);
  add_common_labels (&subst);
  substitutions_add_checked (&subst, "FROM_IMAGE", from_image,
                             _("base image"), check_image_reference);
  substitutions_add_label (&subst, "BASE_IMAGE", from_image, "exitbox.base.image");
  substitutions_add_label (&subst, "BASE_FAMILY", exitbox_base_family_to_string (family),
                           "exitbox.base.family");

  text = render_template (family == EXITBOX_BASE_FAMILY_ALPINE
                          ? "containerfiles/proxy-alpine.in"
                          : "containerfiles/proxy-debian.in",
                          &subst, error);
  substitutions_clear (&subst);

  return text;
}
