/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <grp.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exitbox-doctor-private.h"

/* The doctor finds the engine failures seen on real hosts, explains each and
 * offers its fix. The message texts it matches were captured from podman
 * 4.3.1 on Debian 12 with runc 1.1.5 and crun 1.8.1.
 */

#define CONTAINERS_CONF_DROP_IN "/etc/containers/containers.conf.d/90-exitbox.conf"
#define MAX_TOML_DEPTH 64

/* The runc locations in podman's default [engine.runtimes] list
 * (containers-common 0.50), plus PATH.
 */
static const char * const runc_locations[] = {
  "/usr/bin/runc", "/usr/sbin/runc", "/usr/local/bin/runc", "/usr/local/sbin/runc",
  "/sbin/runc", "/bin/runc", "/usr/lib/cri-o-runc/sbin/runc", "/run/current-system/sw/bin/runc",
};

/* Podman's default init_path and helper_binaries_dir entries. */
static const char * const catatonit_locations[] = {
  "/usr/libexec/podman/catatonit", "/usr/local/libexec/podman/catatonit",
  "/usr/local/lib/podman/catatonit", "/usr/lib/podman/catatonit",
};

void
exitbox_doctor_problem_free (ExitboxDoctorProblem *problem)
{
  if (problem == NULL)
    return;

  g_free (problem->id);
  g_free (problem->summary);
  g_free (problem->explanation);
  g_free (problem->fix);
  g_free (problem);
}

/* Takes ownership of the three texts. */
static ExitboxDoctorProblem *
problem_new (const char *id,
             char       *summary,
             char       *explanation,
             char       *fix,
             gboolean    fixable)
{
  ExitboxDoctorProblem *problem = g_new0 (ExitboxDoctorProblem, 1);

  problem->id = g_strdup (id);
  problem->summary = summary;
  problem->explanation = explanation;
  problem->fix = fix;
  problem->fixable = fixable;

  return problem;
}

void
exitbox_doctor_facts_clear (ExitboxDoctorFacts *facts)
{
  g_clear_pointer (&facts->oci_runtime, g_free);
  g_clear_pointer (&facts->graph_driver, g_free);
  g_clear_pointer (&facts->cgroup_version, g_free);
  g_clear_pointer (&facts->runtime_dir, g_free);
  g_clear_pointer (&facts->containers_conf_path, g_free);
  g_clear_pointer (&facts->storage_conf_path, g_free);
  g_clear_pointer (&facts->info_command, g_free);
  g_clear_pointer (&facts->info_failure, g_free);
  g_clear_pointer (&facts->run_command, g_free);
  g_clear_pointer (&facts->run_failure, g_free);
}

static void
facts_init (ExitboxDoctorFacts *facts)
{
  memset (facts, 0, sizeof *facts);
  facts->uid_map_ranges = -1;
  facts->nofile_hard_limit = RLIM_INFINITY;
  facts->nproc_hard_limit = RLIM_INFINITY;
}

/* Podman info ------------------------------------------------------------- */

static JsonObject *
member_object (JsonObject *object,
               const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static char *
member_dup_string (JsonObject *object,
                   const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return g_strdup (json_node_get_string (node));
}

gboolean
exitbox_doctor_facts_read_info (ExitboxDoctorFacts  *facts,
                                const char          *info_json,
                                GError             **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *host;
  JsonObject *id_mappings;
  JsonNode *uid_map;

  g_return_val_if_fail (facts != NULL, FALSE);
  g_return_val_if_fail (info_json != NULL, FALSE);

  if (!json_parser_load_from_data (parser, info_json, -1, error))
    return FALSE;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The output of “podman info” is not a JSON object"));
      return FALSE;
    }

  host = member_object (json_node_get_object (root), "host");

  g_free (facts->oci_runtime);
  facts->oci_runtime = member_dup_string (member_object (host, "ociRuntime"), "name");
  g_free (facts->cgroup_version);
  facts->cgroup_version = member_dup_string (host, "cgroupVersion");
  g_free (facts->graph_driver);
  facts->graph_driver = member_dup_string (member_object (json_node_get_object (root), "store"),
                                           "graphDriverName");

  /* Rootful podman prints null here. Rootless podman prints one range for
   * the user and one for each subordinate ID range.
   */
  facts->uid_map_ranges = -1;
  id_mappings = member_object (host, "idMappings");
  uid_map = id_mappings != NULL ? json_object_get_member (id_mappings, "uidmap") : NULL;
  if (uid_map != NULL && JSON_NODE_HOLDS_ARRAY (uid_map))
    facts->uid_map_ranges = json_array_get_length (json_node_get_array (uid_map));

  return TRUE;
}

/* Classification ---------------------------------------------------------- */

const char *
exitbox_doctor_classify_failure (const char *stderr_text)
{
  g_autofree char *lower = NULL;

  if (stderr_text == NULL)
    return NULL;

  lower = g_ascii_strdown (stderr_text, -1);

  /* crun 1.8.1: "cgroups in hybrid mode not supported, drop all controllers
   * from cgroupv2".
   */
  if (strstr (lower, "cgroups in hybrid mode not supported") != NULL)
    return "oci-runtime";

  /* runc prints "error setting rlimit type 7: operation not permitted" and
   * crun prints "setrlimit `RLIMIT_NOFILE`: Operation not permitted".
   */
  if (strstr (lower, "rlimit") != NULL && strstr (lower, "operation not permitted") != NULL)
    return "ulimits";

  /* Podman prints "container-init binary not found on the host", and docker
   * names its helper docker-init.
   */
  if (strstr (lower, "container-init binary not found") != NULL
      || (strstr (lower, "docker-init") != NULL && strstr (lower, "not found") != NULL))
    return "init-helper";

  /* slirp4netns: open("/dev/net/tun"): Permission denied. */
  if (strstr (lower, "/dev/net/tun") != NULL)
    return "tun-device";

  if (strstr (lower, "xdg_runtime_dir") != NULL
      || (strstr (lower, "mkdir /run/user/") != NULL && strstr (lower, "permission denied") != NULL))
    return "runtime-dir";

  /* Podman 4.3: "invalid internal status, try resetting the pause process
   * with \"podman system migrate\": could not find any running process".
   */
  if (strstr (lower, "resetting the pause process") != NULL)
    return "pause-process";

  if (strstr (lower, "no subuid ranges found") != NULL
      || strstr (lower, "insufficient uids or gids available in user namespace") != NULL)
    return "sub-ids";

  return NULL;
}

/* Host checks ------------------------------------------------------------- */

gboolean
exitbox_doctor_cgroup_blocks_crun (const char *mounts_text,
                                   const char *controllers_text)
{
  g_auto(GStrv) lines = NULL;
  gboolean root_is_tmpfs = FALSE;
  gboolean unified_is_cgroup2 = FALSE;

  if (mounts_text == NULL)
    return FALSE;

  /* Each line of /proc/self/mounts: device, mount point, type, options… */
  lines = g_strsplit (mounts_text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], " ", 4);

      if (g_strv_length (fields) < 3)
        continue;

      if (g_str_equal (fields[1], "/sys/fs/cgroup"))
        root_is_tmpfs = g_str_equal (fields[2], "tmpfs");
      else if (g_str_equal (fields[1], "/sys/fs/cgroup/unified"))
        unified_is_cgroup2 = g_str_equal (fields[2], "cgroup2");
    }

  if (!root_is_tmpfs || !unified_is_cgroup2)
    return FALSE;

  /* crun reads the controllers file and fails on any content at all. */
  return controllers_text != NULL && *controllers_text != '\0';
}

ExitboxDoctorTunState
exitbox_doctor_check_tun_device (const char *path)
{
  if (g_access (path, R_OK | W_OK) == 0)
    return EXITBOX_DOCTOR_TUN_OK;

  return errno == ENOENT ? EXITBOX_DOCTOR_TUN_MISSING : EXITBOX_DOCTOR_TUN_NO_ACCESS;
}

/* Podman 4.3.1 falls back to /tmp/podman-run-UID when XDG_RUNTIME_DIR is
 * unset and works, so only a set but unusable value is a problem.
 */
ExitboxDoctorRuntimeDirState
exitbox_doctor_check_runtime_dir (const char *path,
                                  uid_t       uid,
                                  guint      *out_mode)
{
  struct stat info;

  if (out_mode != NULL)
    *out_mode = 0;

  if (path == NULL || *path == '\0')
    return EXITBOX_DOCTOR_RUNTIME_DIR_UNSET;

  if (g_stat (path, &info) != 0)
    return EXITBOX_DOCTOR_RUNTIME_DIR_MISSING;

  if (out_mode != NULL)
    *out_mode = info.st_mode & 07777;

  if (!S_ISDIR (info.st_mode))
    return EXITBOX_DOCTOR_RUNTIME_DIR_NOT_DIRECTORY;
  if (info.st_uid != uid)
    return EXITBOX_DOCTOR_RUNTIME_DIR_WRONG_OWNER;
  if ((info.st_mode & 07777) != 0700)
    return EXITBOX_DOCTOR_RUNTIME_DIR_WRONG_MODE;

  return EXITBOX_DOCTOR_RUNTIME_DIR_OK;
}

static gboolean
find_runc (void)
{
  g_autofree char *on_path = g_find_program_in_path ("runc");

  if (on_path != NULL)
    return TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (runc_locations); i++)
    {
      if (g_file_test (runc_locations[i], G_FILE_TEST_IS_EXECUTABLE))
        return TRUE;
    }

  return FALSE;
}

static gboolean
find_catatonit (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (catatonit_locations); i++)
    {
      if (g_file_test (catatonit_locations[i], G_FILE_TEST_IS_EXECUTABLE))
        return TRUE;
    }

  return FALSE;
}

static rlim_t
get_hard_limit (int resource)
{
  struct rlimit limit;

  if (getrlimit (resource, &limit) != 0)
    return RLIM_INFINITY;

  return limit.rlim_max;
}

static rlim_t
read_pid_max (void)
{
  g_autofree char *text = NULL;
  guint64 value;

  if (!g_file_get_contents ("/proc/sys/kernel/pid_max", &text, NULL, NULL))
    return RLIM_INFINITY;
  if (!g_ascii_string_to_unsigned (g_strstrip (text), 10, 1, G_MAXUINT64, &value, NULL))
    return RLIM_INFINITY;

  return value;
}

void
exitbox_doctor_get_container_limits (rlim_t *out_nofile,
                                     rlim_t *out_nproc)
{
  rlim_t nproc = get_hard_limit (RLIMIT_NPROC);
  rlim_t pid_max = read_pid_max ();

  *out_nofile = get_hard_limit (RLIMIT_NOFILE);

  /* Rootful podman 4.3.1 lowers its own RLIMIT_NPROC to kernel.pid_max when
   * it starts (seen with strace on Debian 12, pid_max 32768), and conmon and
   * runc inherit that, so a container cannot get more even when the
   * session's hard limit is higher.
   */
  *out_nproc = MIN (nproc, pid_max);
}

/* Configuration paths ----------------------------------------------------- */

static char *
dup_user_config_dir (gboolean in_flatpak)
{
  const char *config_home = g_getenv ("XDG_CONFIG_HOME");

  /* Inside Flatpak XDG_CONFIG_HOME points into the sandbox's own folder, but
   * podman runs on the host and reads the host's ~/.config.
   */
  if (!in_flatpak && config_home != NULL && g_path_is_absolute (config_home))
    return g_strdup (config_home);

  return g_build_filename (g_get_home_dir (), ".config", NULL);
}

/* Returns the podman configuration file that ExitBox edits. Outside Flatpak
 * that is the file named by @override_variable when it is set, else
 * @rootful_path for rootful podman. Rootless podman gets the user's
 * containers/@file_name. Returns NULL for other engines and where ExitBox
 * edits no file.
 */
static char *
dup_podman_conf_path (ExitboxEngineKind  kind,
                      gboolean           rootless,
                      gboolean           in_flatpak,
                      const char        *override_variable,
                      const char        *rootful_path,
                      const char        *file_name)
{
  const char *override = g_getenv (override_variable);
  g_autofree char *config_dir = NULL;

  if (kind != EXITBOX_ENGINE_KIND_PODMAN)
    return NULL;

  /* The sandbox's environment does not reach podman on the host. */
  if (!in_flatpak && override != NULL && *override != '\0')
    return g_strdup (override);

  if (!rootless)
    return in_flatpak ? NULL : g_strdup (rootful_path);

  config_dir = dup_user_config_dir (in_flatpak);
  return g_build_filename (config_dir, "containers", file_name, NULL);
}

/* Podman 4.3.1 (containers-common 0.50) reads only the CONTAINERS_CONF file
 * when that variable is set. Otherwise it reads the system files and the
 * drop-ins in /etc/containers/containers.conf.d/, and then, only when
 * rootless, $XDG_CONFIG_HOME/containers/containers.conf. Rootful podman
 * ignores the user's file, so its fix goes into a drop-in file.
 */
char *
exitbox_doctor_dup_containers_conf_path (ExitboxEngineKind kind,
                                         gboolean          rootless,
                                         gboolean          in_flatpak)
{
  return dup_podman_conf_path (kind, rootless, in_flatpak, "CONTAINERS_CONF",
                               CONTAINERS_CONF_DROP_IN, "containers.conf");
}

/* Rootful storage is configured in /etc/containers/storage.conf, which has
 * no drop-in folder, so ExitBox does not edit it.
 */
char *
exitbox_doctor_dup_storage_conf_path (ExitboxEngineKind kind,
                                      gboolean          rootless,
                                      gboolean          in_flatpak)
{
  return dup_podman_conf_path (kind, rootless, in_flatpak, "CONTAINERS_STORAGE_CONF",
                               NULL, "storage.conf");
}

/* Problem texts ----------------------------------------------------------- */

static char *
format_limit (rlim_t limit)
{
  if (limit == RLIM_INFINITY)
    return g_strdup (_("unlimited"));

  return g_strdup_printf ("%llu", (unsigned long long) limit);
}

static char *
format_ulimits_example (const ExitboxDoctorFacts *facts)
{
  g_autoptr(GError) error = NULL;
  char *value = exitbox_doctor_merge_ulimits (NULL, facts->nofile_hard_limit,
                                              facts->nproc_hard_limit, &error);

  return value != NULL ? value : g_strdup ("[]");
}

static ExitboxDoctorProblem *
problem_oci_runtime (const ExitboxDoctorFacts *facts)
{
  char *summary = g_strdup (_("The OCI runtime crun cannot start containers on this host"));
  char *explanation = g_strdup (_("This host mounts cgroups in hybrid mode: cgroup v1, plus a "
                                  "cgroup v2 hierarchy that has controllers. crun refuses to run "
                                  "there (“cgroups in hybrid mode not supported”), but runc "
                                  "works."));
  char *fix;
  gboolean fixable = FALSE;

  if (facts->kind == EXITBOX_ENGINE_KIND_DOCKER)
    fix = g_strdup (_("Set \"default-runtime\": \"runc\" in /etc/docker/daemon.json, then restart "
                      "docker with “sudo systemctl restart docker”."));
  else if (facts->containers_conf_path == NULL)
    fix = g_strdup (_("Set runtime = \"runc\" in the [engine] table of "
                      "/etc/containers/containers.conf on the host."));
  else if (!facts->runc_available)
    fix = g_strdup_printf (_("Install runc with “sudo apt install runc”, then set "
                             "runtime = \"runc\" in the [engine] table of %s."),
                           facts->containers_conf_path);
  else
    {
      fix = g_strdup_printf (_("Set runtime = \"runc\" in the [engine] table of %s."),
                             facts->containers_conf_path);
      fixable = TRUE;
    }

  return problem_new ("oci-runtime", summary, explanation, fix, fixable);
}

static ExitboxDoctorProblem *
problem_ulimits (const ExitboxDoctorFacts *facts)
{
  g_autofree char *nofile = format_limit (facts->nofile_hard_limit);
  g_autofree char *nproc = format_limit (facts->nproc_hard_limit);
  g_autofree char *example = format_ulimits_example (facts);
  gboolean finite = facts->nofile_hard_limit != RLIM_INFINITY
                    || facts->nproc_hard_limit != RLIM_INFINITY;
  char *summary = g_strdup (_("Containers fail because their default limits are above this "
                              "host’s hard limits"));
  char *explanation;
  char *fix;
  gboolean fixable = FALSE;

  explanation = g_strdup_printf (_("The engine gives every container open-file and process limits "
                                   "above the hard limits of this session (open files: %s, "
                                   "processes: %s), and the OCI runtime is not permitted to raise "
                                   "them, so no container starts."),
                                 nofile, nproc);

  if (facts->kind == EXITBOX_ENGINE_KIND_DOCKER)
    fix = g_strdup_printf (_("Set \"default-ulimits\" for nofile and nproc to at most %s and %s in "
                             "/etc/docker/daemon.json, then restart docker with "
                             "“sudo systemctl restart docker”."),
                           nofile, nproc);
  else if (facts->containers_conf_path == NULL)
    fix = g_strdup_printf (_("Set default_ulimits = %s in the [containers] table of "
                             "/etc/containers/containers.conf on the host."),
                           example);
  else
    {
      fix = g_strdup_printf (_("Set default_ulimits = %s in the [containers] table of %s."),
                             example, facts->containers_conf_path);
      fixable = finite;
    }

  return problem_new ("ulimits", summary, explanation, fix, fixable);
}

static ExitboxDoctorProblem *
problem_tun_device (const ExitboxDoctorFacts *facts)
{
  char *summary = g_strdup (_("Rootless networking cannot open /dev/net/tun"));
  char *explanation = g_strdup (_("Rootless podman connects containers to networks through "
                                  "slirp4netns, which needs read and write access to "
                                  "/dev/net/tun. Here the device is missing or only root can "
                                  "open it."));
  char *fix;

  if (facts->tun_state == EXITBOX_DOCTOR_TUN_MISSING)
    fix = g_strdup (_("Ask an administrator to run “sudo modprobe tun” and then "
                      "“sudo chmod 0666 /dev/net/tun”."));
  else
    fix = g_strdup (_("Ask an administrator to run “sudo chmod 0666 /dev/net/tun”, the mode "
                      "most distributions give the device."));

  return problem_new ("tun-device", summary, explanation, fix, FALSE);
}

static char *
dup_group_name (gid_t gid)
{
  struct group *entry = getgrgid (gid);

  if (entry != NULL && entry->gr_name != NULL)
    return g_strdup (entry->gr_name);

  return g_strdup_printf ("%u", (guint) gid);
}

static ExitboxDoctorProblem *
problem_runtime_dir (const ExitboxDoctorFacts *facts)
{
  g_autofree char *group = dup_group_name (getgid ());
  g_autofree char *default_dir = g_strdup_printf ("/run/user/%u", (guint) getuid ());
  const char *dir = facts->runtime_dir != NULL ? facts->runtime_dir : default_dir;
  char *summary = g_strdup (_("The runtime folder in XDG_RUNTIME_DIR is not usable"));
  char *explanation;
  char *fix;

  switch (facts->runtime_dir_state)
    {
    case EXITBOX_DOCTOR_RUNTIME_DIR_MISSING:
      explanation = g_strdup_printf (_("XDG_RUNTIME_DIR is set to %s, which does not exist, and "
                                       "rootless podman cannot create it."), dir);
      break;

    case EXITBOX_DOCTOR_RUNTIME_DIR_NOT_DIRECTORY:
      explanation = g_strdup_printf (_("XDG_RUNTIME_DIR is set to %s, which is not a folder."),
                                     dir);
      break;

    case EXITBOX_DOCTOR_RUNTIME_DIR_WRONG_OWNER:
      explanation = g_strdup_printf (_("XDG_RUNTIME_DIR is set to %s, which belongs to another "
                                       "user. Rootless podman needs a folder that you own."), dir);
      break;

    case EXITBOX_DOCTOR_RUNTIME_DIR_WRONG_MODE:
      explanation = g_strdup_printf (_("XDG_RUNTIME_DIR is set to %s with mode %04o, but the XDG "
                                       "Base Directory specification requires mode 0700, so that "
                                       "only you can access it."),
                                     dir, facts->runtime_dir_mode);
      break;

    case EXITBOX_DOCTOR_RUNTIME_DIR_OK:
    case EXITBOX_DOCTOR_RUNTIME_DIR_UNSET:
    default:
      explanation = g_strdup (_("Podman reported that it cannot use the runtime folder named by "
                                "XDG_RUNTIME_DIR."));
      break;
    }

  if (facts->runtime_dir_state == EXITBOX_DOCTOR_RUNTIME_DIR_WRONG_MODE)
    fix = g_strdup_printf (_("Run “chmod 0700 %s”."), dir);
  else
    fix = g_strdup_printf (_("Ask an administrator to run “sudo install -d -m 0700 -o %s -g %s "
                             "%s”."),
                           g_get_user_name (), group, dir);

  return problem_new ("runtime-dir", summary, explanation, fix, FALSE);
}

static ExitboxDoctorProblem *
problem_sub_ids (const ExitboxDoctorFacts *facts)
{
  const char *user = g_get_user_name ();
  char *summary = g_strdup_printf (_("No subordinate user IDs are assigned to %s"), user);
  char *explanation = g_strdup (_("Rootless podman maps the users inside a container to ranges "
                                  "of subordinate IDs from /etc/subuid and /etc/subgid. Without "
                                  "them a container has a single user, and images that own files "
                                  "as other users cannot be unpacked."));
  char *fix = g_strdup_printf (_("Ask an administrator to run “sudo usermod --add-subuids "
                                 "100000-165535 --add-subgids 100000-165535 %s”, choosing a "
                                 "range that no other user has in /etc/subuid, and then run "
                                 "“podman system migrate”."),
                               user);

  return problem_new ("sub-ids", summary, explanation, fix, FALSE);
}

static ExitboxDoctorProblem *
problem_pause_process (void)
{
  return problem_new ("pause-process",
                      g_strdup (_("Rootless podman lost its pause process")),
                      g_strdup (_("Rootless podman keeps a small pause process that holds its "
                                  "user namespace. That process is gone, for example because "
                                  "the machine restarted without clearing XDG_RUNTIME_DIR or "
                                  "because it was killed, and podman refuses to run until it "
                                  "is reset.")),
                      g_strdup (_("Run “podman system migrate”. It stops your running rootless "
                                  "containers and starts a new pause process; images and "
                                  "stopped containers are kept.")),
                      TRUE);
}

static ExitboxDoctorProblem *
problem_init_helper (const ExitboxDoctorFacts *facts)
{
  char *summary;
  char *explanation;
  char *fix;

  if (facts->kind == EXITBOX_ENGINE_KIND_DOCKER)
    {
      summary = g_strdup (_("The --init helper docker-init is missing"));
      explanation = g_strdup (_("ExitBox starts containers with --init, so that a small init "
                                "process reaps finished processes and forwards signals. Docker "
                                "runs docker-init for that, and it was not found."));
      fix = g_strdup (_("Reinstall docker, on Debian with “sudo apt install --reinstall "
                        "docker.io”."));
    }
  else
    {
      summary = g_strdup (_("The --init helper catatonit is missing"));
      explanation = g_strdup (_("ExitBox starts containers with --init, so that a small init "
                                "process reaps finished processes and forwards signals. Podman "
                                "runs catatonit for that, and it is not installed."));
      fix = g_strdup (_("Install it with “sudo apt install catatonit”."));
    }

  return problem_new ("init-helper", summary, explanation, fix, FALSE);
}

static ExitboxDoctorProblem *
problem_storage_driver (const ExitboxDoctorFacts *facts)
{
  char *summary = g_strdup (_("Rootless podman uses the slow vfs storage driver"));
  char *explanation = g_strdup (_("With vfs, podman copies the whole image for every container it "
                                  "starts, which takes seconds for a large image. The overlay "
                                  "driver shares the image’s layers and starts a container "
                                  "without copying."));
  char *fix;

  /* NOTE: rootless overlay without fuse-overlayfs needs Linux 5.13 or later;
   * the kernel version is not checked here.
   */
  if (facts->storage_conf_path == NULL)
    return problem_new ("storage-driver", summary, explanation,
                        g_strdup (_("Set driver = \"overlay\" in the [storage] table of "
                                    "~/.config/containers/storage.conf on the host, then run "
                                    "“podman system reset”, which deletes all of your podman "
                                    "images, containers and volumes.")),
                        FALSE);

  fix = g_strdup_printf (_("Set driver = \"overlay\" in the [storage] table of %s, then run "
                           "“podman system reset”: podman keeps using vfs until the storage is "
                           "reset, which deletes all of your podman images, containers, volumes "
                           "and networks, and ExitBox builds its images again. ExitBox does both "
                           "itself only while the storage is empty."),
                         facts->storage_conf_path);

  return problem_new ("storage-driver", summary, explanation, fix, TRUE);
}

static ExitboxDoctorProblem *
problem_cgroup_limits (const ExitboxDoctorFacts *facts)
{
  return problem_new ("cgroup-limits",
                      g_strdup (_("Memory, CPU and process limits are ignored")),
                      g_strdup (_("This host uses cgroup v1, where rootless podman cannot apply "
                                  "--memory, --cpus or --pids-limit. It prints a warning and "
                                  "starts the container without these limits.")),
                      g_strdup (_("Boot the host with cgroup v2 (add "
                                  "systemd.unified_cgroup_hierarchy=1 to the kernel command "
                                  "line), or accept that sessions run without these limits.")),
                      FALSE);
}

static ExitboxDoctorProblem *
problem_engine_failure (const char *summary,
                        const char *command,
                        const char *failure)
{
  return problem_new ("engine-failure",
                      g_strdup (summary),
                      g_strdup_printf (_("“%s” failed: %s"), command, failure),
                      g_strdup (_("ExitBox knows no fix for this message. Fix its cause, then "
                                  "run the check again.")),
                      FALSE);
}

static gboolean
failure_is (const ExitboxDoctorFacts *facts,
            const char               *id)
{
  return g_strcmp0 (exitbox_doctor_classify_failure (facts->info_failure), id) == 0
         || g_strcmp0 (exitbox_doctor_classify_failure (facts->run_failure), id) == 0;
}

GPtrArray *
exitbox_doctor_problems_from_facts (const ExitboxDoctorFacts *facts)
{
  g_autoptr(GPtrArray) problems =
    g_ptr_array_new_with_free_func ((GDestroyNotify) exitbox_doctor_problem_free);
  gboolean podman = facts->kind == EXITBOX_ENGINE_KIND_PODMAN;
  gboolean rootless = podman && facts->rootless;

  if ((podman && g_strcmp0 (facts->oci_runtime, "crun") == 0 && facts->cgroup_blocks_crun)
      || failure_is (facts, "oci-runtime"))
    g_ptr_array_add (problems, problem_oci_runtime (facts));

  if (failure_is (facts, "ulimits"))
    g_ptr_array_add (problems, problem_ulimits (facts));

  if ((rootless && facts->tun_state != EXITBOX_DOCTOR_TUN_OK) || failure_is (facts, "tun-device"))
    g_ptr_array_add (problems, problem_tun_device (facts));

  if ((rootless && facts->runtime_dir_state != EXITBOX_DOCTOR_RUNTIME_DIR_OK
       && facts->runtime_dir_state != EXITBOX_DOCTOR_RUNTIME_DIR_UNSET)
      || failure_is (facts, "runtime-dir"))
    g_ptr_array_add (problems, problem_runtime_dir (facts));

  /* The user's own mapping is always present, and each subordinate ID range
   * adds one more.
   */
  if ((rootless && facts->uid_map_ranges == 1) || failure_is (facts, "sub-ids"))
    g_ptr_array_add (problems, problem_sub_ids (facts));

  if (failure_is (facts, "pause-process"))
    g_ptr_array_add (problems, problem_pause_process ());

  if (facts->init_helper_missing || failure_is (facts, "init-helper"))
    g_ptr_array_add (problems, problem_init_helper (facts));

  if (rootless && g_strcmp0 (facts->graph_driver, "vfs") == 0)
    g_ptr_array_add (problems, problem_storage_driver (facts));

  if (rootless && g_strcmp0 (facts->cgroup_version, "v1") == 0)
    g_ptr_array_add (problems, problem_cgroup_limits (facts));

  if (facts->info_failure != NULL && exitbox_doctor_classify_failure (facts->info_failure) == NULL)
    g_ptr_array_add (problems, problem_engine_failure (_("The engine could not describe itself"),
                                                       facts->info_command, facts->info_failure));

  if (facts->run_failure != NULL && exitbox_doctor_classify_failure (facts->run_failure) == NULL)
    g_ptr_array_add (problems, problem_engine_failure (_("The test container failed to start"),
                                                       facts->run_command, facts->run_failure));

  return g_steal_pointer (&problems);
}

/* TOML scanning ----------------------------------------------------------- */

/* A line-preserving reader for TOML 1.0: it records where each table header
 * and key/value pair is, so that an edit can change one value or insert one
 * line and leave every other byte as it was. It validates the syntax an edit
 * depends on (strings, arrays, inline tables, duplicate keys and tables)
 * and accepts scalars by their characters only.
 */

/* Components of a table or key path are joined with this byte, which cannot
 * appear in a bare key and is rejected in quoted keys.
 */
#define PATH_SEPARATOR '\x1f'

typedef enum
{
  TOML_ITEM_TABLE,
  TOML_ITEM_ARRAY_TABLE,
  TOML_ITEM_KEY_VALUE,
} TomlItemKind;

typedef struct
{
  TomlItemKind  kind;
  char         *path;         /* table path, or table path plus key path */
  char         *table;        /* the table a key/value pair belongs to */
  gsize         value_start;
  gsize         value_end;
  gsize         line_end;     /* after the statement's newline, or at the end of the text */
} TomlItem;

typedef struct
{
  GPtrArray  *items;          /* TomlItem */
  GHashTable *headed_tables;  /* paths defined by [table] headers */
  GHashTable *array_tables;   /* paths defined by [[table]] headers */
  GHashTable *dotted_tables;  /* paths defined implicitly by dotted keys */
  GHashTable *keys;           /* full key paths */
} TomlDocument;

typedef struct
{
  const char *text;
  gsize       pos;
  guint       line;
} TomlScanner;

static void
toml_item_free (TomlItem *item)
{
  g_free (item->path);
  g_free (item->table);
  g_free (item);
}

static void
toml_document_free (TomlDocument *document)
{
  g_clear_pointer (&document->items, g_ptr_array_unref);
  g_clear_pointer (&document->headed_tables, g_hash_table_unref);
  g_clear_pointer (&document->array_tables, g_hash_table_unref);
  g_clear_pointer (&document->dotted_tables, g_hash_table_unref);
  g_clear_pointer (&document->keys, g_hash_table_unref);
  g_free (document);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TomlDocument, toml_document_free)

static gboolean
toml_fail (TomlScanner  *scanner,
           GError      **error,
           const char   *reason)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               /* Translators: a position in a configuration file and what is wrong there. */
               _("line %u: %s"), scanner->line, reason);
  return FALSE;
}

static char
toml_peek (TomlScanner *scanner,
           guint        offset)
{
  for (guint i = 0; i < offset; i++)
    {
      if (scanner->text[scanner->pos + i] == '\0')
        return '\0';
    }

  return scanner->text[scanner->pos + offset];
}

static void
toml_skip_blanks (TomlScanner *scanner)
{
  while (scanner->text[scanner->pos] == ' ' || scanner->text[scanner->pos] == '\t')
    scanner->pos++;
}

static gboolean
toml_at_newline (TomlScanner *scanner)
{
  return scanner->text[scanner->pos] == '\n'
         || (scanner->text[scanner->pos] == '\r' && toml_peek (scanner, 1) == '\n');
}

static void
toml_consume_newline (TomlScanner *scanner)
{
  if (scanner->text[scanner->pos] == '\r')
    scanner->pos++;
  scanner->pos++;
  scanner->line++;
}

static void
toml_skip_comment (TomlScanner *scanner)
{
  if (scanner->text[scanner->pos] != '#')
    return;

  while (scanner->text[scanner->pos] != '\0' && !toml_at_newline (scanner))
    scanner->pos++;
}

/* Ends a statement: blanks, an optional comment, then a newline or the end. */
static gboolean
toml_finish_line (TomlScanner  *scanner,
                  GError      **error)
{
  toml_skip_blanks (scanner);
  toml_skip_comment (scanner);

  if (scanner->text[scanner->pos] == '\0')
    return TRUE;
  if (!toml_at_newline (scanner))
    return toml_fail (scanner, error, _("unexpected text after the end of a statement"));

  toml_consume_newline (scanner);
  return TRUE;
}

/* Inside arrays, newlines and comments may appear between values. */
static void
toml_skip_array_space (TomlScanner *scanner)
{
  for (;;)
    {
      toml_skip_blanks (scanner);
      toml_skip_comment (scanner);
      if (!toml_at_newline (scanner))
        return;
      toml_consume_newline (scanner);
    }
}

static gboolean
toml_scan_escape (TomlScanner  *scanner,
                  GString      *out,
                  GError      **error)
{
  char escape = toml_peek (scanner, 1);
  guint digits;
  gunichar value = 0;

  scanner->pos += 2;
  switch (escape)
    {
    case 'b': g_string_append_c (out, '\b'); return TRUE;
    case 't': g_string_append_c (out, '\t'); return TRUE;
    case 'n': g_string_append_c (out, '\n'); return TRUE;
    case 'f': g_string_append_c (out, '\f'); return TRUE;
    case 'r': g_string_append_c (out, '\r'); return TRUE;
    case '"': g_string_append_c (out, '"'); return TRUE;
    case '\\': g_string_append_c (out, '\\'); return TRUE;
    case 'u': digits = 4; break;
    case 'U': digits = 8; break;
    default:
      return toml_fail (scanner, error, _("invalid escape sequence in a string"));
    }

  for (guint i = 0; i < digits; i++)
    {
      char c = scanner->text[scanner->pos];

      if (!g_ascii_isxdigit (c))
        return toml_fail (scanner, error, _("invalid Unicode escape in a string"));
      value = value * 16 + g_ascii_xdigit_value (c);
      scanner->pos++;
    }

  if (!g_unichar_validate (value))
    return toml_fail (scanner, error, _("invalid Unicode escape in a string"));

  g_string_append_unichar (out, value);
  return TRUE;
}

/* Counts the closing quotes of a multi-line string: three, plus up to two
 * that belong to the content.
 */
static guint
toml_count_quotes (TomlScanner *scanner,
                   char         quote)
{
  guint count = 0;

  while (scanner->text[scanner->pos + count] == quote && count < 5)
    count++;

  return count;
}

static gboolean
toml_scan_string (TomlScanner  *scanner,
                  GString      *out,
                  gboolean      allow_multiline,
                  GError      **error)
{
  char quote = scanner->text[scanner->pos];
  gboolean literal = quote == '\'';
  gboolean multiline = toml_peek (scanner, 1) == quote && toml_peek (scanner, 2) == quote;

  if (multiline && !allow_multiline)
    return toml_fail (scanner, error, _("a key cannot be a multi-line string"));

  scanner->pos += multiline ? 3 : 1;

  /* A newline right after the opening quotes is not part of the string. */
  if (multiline && toml_at_newline (scanner))
    toml_consume_newline (scanner);

  for (;;)
    {
      char c = scanner->text[scanner->pos];

      if (c == '\0')
        return toml_fail (scanner, error, _("a string is not closed"));

      if (c == quote)
        {
          guint quotes;

          if (!multiline)
            {
              scanner->pos++;
              return TRUE;
            }

          quotes = toml_count_quotes (scanner, quote);
          if (quotes >= 3)
            {
              for (guint i = 3; i < quotes; i++)
                g_string_append_c (out, quote);
              scanner->pos += quotes;
              return TRUE;
            }

          g_string_append_c (out, c);
          scanner->pos++;
          continue;
        }

      if (toml_at_newline (scanner))
        {
          if (!multiline)
            return toml_fail (scanner, error, _("a string is not closed before the end of the line"));
          toml_consume_newline (scanner);
          g_string_append_c (out, '\n');
          continue;
        }

      if (c == '\\' && !literal)
        {
          char next = toml_peek (scanner, 1);

          /* A backslash at the end of a line joins the next non-blank text. */
          if (multiline && (next == ' ' || next == '\t' || next == '\n' || next == '\r'))
            {
              scanner->pos++;
              toml_skip_blanks (scanner);
              if (!toml_at_newline (scanner))
                return toml_fail (scanner, error, _("invalid escape sequence in a string"));
              while (toml_at_newline (scanner) || scanner->text[scanner->pos] == ' '
                     || scanner->text[scanner->pos] == '\t')
                {
                  if (toml_at_newline (scanner))
                    toml_consume_newline (scanner);
                  else
                    scanner->pos++;
                }
              continue;
            }

          if (!toml_scan_escape (scanner, out, error))
            return FALSE;
          continue;
        }

      g_string_append_c (out, c);
      scanner->pos++;
    }
}

static gboolean
is_bare_key_char (char c)
{
  return g_ascii_isalnum (c) || c == '_' || c == '-';
}

/* Reads a possibly dotted key into @parts. */
static gboolean
toml_scan_key (TomlScanner  *scanner,
               GPtrArray    *parts,
               GError      **error)
{
  for (;;)
    {
      g_autoptr(GString) part = g_string_new (NULL);
      char c;

      toml_skip_blanks (scanner);
      c = scanner->text[scanner->pos];

      if (c == '"' || c == '\'')
        {
          if (!toml_scan_string (scanner, part, FALSE, error))
            return FALSE;
          if (strchr (part->str, PATH_SEPARATOR) != NULL)
            return toml_fail (scanner, error, _("a key contains a control character"));
        }
      else
        {
          while (is_bare_key_char (scanner->text[scanner->pos]))
            g_string_append_c (part, scanner->text[scanner->pos++]);
          if (part->len == 0)
            return toml_fail (scanner, error, _("a key is missing or contains invalid characters"));
        }

      g_ptr_array_add (parts, g_string_free (g_steal_pointer (&part), FALSE));

      toml_skip_blanks (scanner);
      if (scanner->text[scanner->pos] != '.')
        return TRUE;
      scanner->pos++;
    }
}

static gboolean
is_scalar_char (char c)
{
  return g_ascii_isalnum (c) || strchr ("_:.+-", c) != NULL;
}

static gboolean toml_scan_value (TomlScanner  *scanner,
                                 guint         depth,
                                 GError      **error);

static gboolean
toml_scan_array (TomlScanner  *scanner,
                 guint         depth,
                 GError      **error)
{
  scanner->pos++;

  for (;;)
    {
      toml_skip_array_space (scanner);
      if (scanner->text[scanner->pos] == ']')
        {
          scanner->pos++;
          return TRUE;
        }

      if (!toml_scan_value (scanner, depth + 1, error))
        return FALSE;

      toml_skip_array_space (scanner);
      if (scanner->text[scanner->pos] == ',')
        scanner->pos++;
      else if (scanner->text[scanner->pos] != ']')
        return toml_fail (scanner, error, _("expected “,” or “]” in an array"));
    }
}

static gboolean
toml_scan_inline_table (TomlScanner  *scanner,
                        guint         depth,
                        GError      **error)
{
  scanner->pos++;
  toml_skip_blanks (scanner);
  if (scanner->text[scanner->pos] == '}')
    {
      scanner->pos++;
      return TRUE;
    }

  for (;;)
    {
      g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

      if (!toml_scan_key (scanner, parts, error))
        return FALSE;
      if (scanner->text[scanner->pos] != '=')
        return toml_fail (scanner, error, _("expected “=” after a key"));
      scanner->pos++;
      toml_skip_blanks (scanner);

      if (!toml_scan_value (scanner, depth + 1, error))
        return FALSE;

      toml_skip_blanks (scanner);
      if (scanner->text[scanner->pos] == '}')
        {
          scanner->pos++;
          return TRUE;
        }
      if (scanner->text[scanner->pos] != ',')
        return toml_fail (scanner, error, _("expected “,” or “}” in an inline table"));
      scanner->pos++;
    }
}

static gboolean
toml_scan_scalar (TomlScanner  *scanner,
                  GError      **error)
{
  gsize start = scanner->pos;
  g_autofree char *token = NULL;

  while (is_scalar_char (scanner->text[scanner->pos]))
    scanner->pos++;

  /* A date and a time may be separated by a space: 1979-05-27 07:32:00. */
  if (scanner->pos - start == 10 && scanner->text[start + 4] == '-'
      && scanner->text[scanner->pos] == ' ' && g_ascii_isdigit (toml_peek (scanner, 1)))
    {
      scanner->pos++;
      while (is_scalar_char (scanner->text[scanner->pos]))
        scanner->pos++;
    }

  if (scanner->pos == start)
    return toml_fail (scanner, error, _("a value is missing or invalid"));

  token = g_strndup (scanner->text + start, scanner->pos - start);
  if (g_str_equal (token, "true") || g_str_equal (token, "false")
      || g_ascii_isdigit (token[0]) || token[0] == '+' || token[0] == '-'
      || g_str_equal (token, "inf") || g_str_equal (token, "nan"))
    return TRUE;

  return toml_fail (scanner, error, _("a value is not a string, number, boolean, date, array or "
                                      "inline table"));
}

static gboolean
toml_scan_value (TomlScanner  *scanner,
                 guint         depth,
                 GError      **error)
{
  char c = scanner->text[scanner->pos];

  if (depth > MAX_TOML_DEPTH)
    return toml_fail (scanner, error, _("values are nested too deeply"));

  if (c == '"' || c == '\'')
    {
      g_autoptr(GString) ignored = g_string_new (NULL);
      return toml_scan_string (scanner, ignored, TRUE, error);
    }

  if (c == '[')
    return toml_scan_array (scanner, depth, error);
  if (c == '{')
    return toml_scan_inline_table (scanner, depth, error);

  return toml_scan_scalar (scanner, error);
}

static char *
join_path (const char *table,
           GPtrArray  *parts,
           guint       count)
{
  g_autoptr(GString) path = g_string_new (table);

  for (guint i = 0; i < count; i++)
    {
      if (path->len > 0)
        g_string_append_c (path, PATH_SEPARATOR);
      g_string_append (path, g_ptr_array_index (parts, i));
    }

  return g_string_free (g_steal_pointer (&path), FALSE);
}

static char *
path_for_display (const char *path)
{
  char *display = g_strdup (path);

  g_strdelimit (display, (const char[]) { PATH_SEPARATOR, '\0' }, '.');
  return display;
}

static gboolean
toml_fail_defined_twice (TomlScanner  *scanner,
                         const char   *path,
                         GError      **error)
{
  g_autofree char *display = path_for_display (path);
  g_autofree char *reason = g_strdup_printf (_("“%s” is defined more than once"), display);

  return toml_fail (scanner, error, reason);
}

static gboolean
toml_scan_header (TomlScanner   *scanner,
                  TomlDocument  *document,
                  char         **current_table,
                  GError       **error)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  gboolean array = toml_peek (scanner, 1) == '[';
  TomlItem *item;
  char *path;

  scanner->pos += array ? 2 : 1;
  if (!toml_scan_key (scanner, parts, error))
    return FALSE;

  if (scanner->text[scanner->pos] != ']' || (array && toml_peek (scanner, 1) != ']'))
    return toml_fail (scanner, error, _("a table header is not closed"));
  scanner->pos += array ? 2 : 1;

  path = join_path ("", parts, parts->len);
  item = g_new0 (TomlItem, 1);
  item->kind = array ? TOML_ITEM_ARRAY_TABLE : TOML_ITEM_TABLE;
  item->path = path;
  g_ptr_array_add (document->items, item);

  /* A table may be defined only once and by one kind of definition. Only an
   * array of tables repeats its header.
   */
  if (g_hash_table_contains (document->headed_tables, path)
      || g_hash_table_contains (document->dotted_tables, path)
      || g_hash_table_contains (document->keys, path)
      || (!array && g_hash_table_contains (document->array_tables, path)))
    return toml_fail_defined_twice (scanner, path, error);
  g_hash_table_add (array ? document->array_tables : document->headed_tables, g_strdup (path));

  if (!toml_finish_line (scanner, error))
    return FALSE;
  item->line_end = scanner->pos;

  /* Keys under an array of tables belong to one of its elements and never
   * match a plain table path, which the leading separator guarantees.
   */
  g_free (*current_table);
  *current_table = array ? g_strdup_printf ("%c%s", PATH_SEPARATOR, path) : g_strdup (path);

  return TRUE;
}

static gboolean
toml_scan_key_value (TomlScanner   *scanner,
                     TomlDocument  *document,
                     const char    *current_table,
                     GError       **error)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  TomlItem *item;

  if (!toml_scan_key (scanner, parts, error))
    return FALSE;
  if (scanner->text[scanner->pos] != '=')
    return toml_fail (scanner, error, _("expected “=” after a key"));
  scanner->pos++;
  toml_skip_blanks (scanner);

  item = g_new0 (TomlItem, 1);
  item->kind = TOML_ITEM_KEY_VALUE;
  item->path = join_path (current_table, parts, parts->len);
  item->table = g_strdup (current_table);
  g_ptr_array_add (document->items, item);

  if (g_hash_table_contains (document->keys, item->path)
      || g_hash_table_contains (document->headed_tables, item->path)
      || g_hash_table_contains (document->array_tables, item->path)
      || g_hash_table_contains (document->dotted_tables, item->path))
    return toml_fail_defined_twice (scanner, item->path, error);
  g_hash_table_add (document->keys, g_strdup (item->path));

  /* "a.b.c = 1" in table T defines the tables T.a and T.a.b. */
  for (guint count = 1; count < parts->len; count++)
    {
      g_autofree char *implicit = join_path (current_table, parts, count);

      if (g_hash_table_contains (document->headed_tables, implicit)
          || g_hash_table_contains (document->array_tables, implicit)
          || g_hash_table_contains (document->keys, implicit))
        return toml_fail_defined_twice (scanner, implicit, error);
      g_hash_table_add (document->dotted_tables, g_steal_pointer (&implicit));
    }

  item->value_start = scanner->pos;
  if (!toml_scan_value (scanner, 0, error))
    return FALSE;
  item->value_end = scanner->pos;

  if (!toml_finish_line (scanner, error))
    return FALSE;
  item->line_end = scanner->pos;

  return TRUE;
}

static TomlDocument *
toml_scan (const char  *text,
           GError     **error)
{
  g_autoptr(TomlDocument) document = g_new0 (TomlDocument, 1);
  g_autofree char *current_table = g_strdup ("");
  TomlScanner scanner = { text, 0, 1 };

  document->items = g_ptr_array_new_with_free_func ((GDestroyNotify) toml_item_free);
  document->headed_tables = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  document->array_tables = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  document->dotted_tables = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  document->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (;;)
    {
      toml_skip_blanks (&scanner);
      toml_skip_comment (&scanner);

      if (text[scanner.pos] == '\0')
        break;

      if (toml_at_newline (&scanner))
        {
          toml_consume_newline (&scanner);
          continue;
        }

      if (text[scanner.pos] == '[')
        {
          if (!toml_scan_header (&scanner, document, &current_table, error))
            return NULL;
        }
      else if (!toml_scan_key_value (&scanner, document, current_table, error))
        {
          return NULL;
        }
    }

  return g_steal_pointer (&document);
}

static TomlItem *
toml_find_item (TomlDocument *document,
                TomlItemKind  kind,
                const char   *path)
{
  for (guint i = 0; i < document->items->len; i++)
    {
      TomlItem *item = g_ptr_array_index (document->items, i);

      if (item->kind == kind && g_str_equal (item->path, path))
        return item;
    }

  return NULL;
}

/* "containers" or "storage.options.overlay" as a path. */
static char *
table_to_path (const char *table)
{
  char *path = g_strdup (table);

  g_strdelimit (path, ".", PATH_SEPARATOR);
  return path;
}

static gboolean
toml_validate_value (const char  *value,
                     GError     **error)
{
  TomlScanner scanner = { value, 0, 1 };

  if (!toml_scan_value (&scanner, 0, error))
    return FALSE;

  toml_skip_blanks (&scanner);
  if (value[scanner.pos] != '\0')
    return toml_fail (&scanner, error, _("unexpected text after the end of a value"));

  return TRUE;
}

char *
exitbox_doctor_toml_set_value (const char  *text,
                               const char  *table,
                               const char  *key,
                               const char  *value,
                               GError     **error)
{
  g_autoptr(TomlDocument) document = NULL;
  g_autoptr(TomlDocument) check = NULL;
  g_autofree char *table_path = NULL;
  g_autofree char *key_path = NULL;
  g_autoptr(GString) result = NULL;
  TomlItem *item;
  TomlItem *header;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (table != NULL && key != NULL && value != NULL, NULL);

  document = toml_scan (text, error);
  if (document == NULL || !toml_validate_value (value, error))
    return NULL;

  table_path = table_to_path (table);
  key_path = g_strdup_printf ("%s%c%s", table_path, PATH_SEPARATOR, key);
  result = g_string_new (NULL);

  /* The key exists: replace its value and keep the rest of the line. */
  item = toml_find_item (document, TOML_ITEM_KEY_VALUE, key_path);
  header = toml_find_item (document, TOML_ITEM_TABLE, table_path);
  if (item != NULL)
    {
      g_string_append_len (result, text, item->value_start);
      g_string_append (result, value);
      g_string_append (result, text + item->value_end);
    }
  else if (header != NULL)
    {
      /* Insert after the table's last key, before any comment that
       * introduces the next table.
       */
      gsize insert_at = header->line_end;

      for (guint i = 0; i < document->items->len; i++)
        {
          TomlItem *candidate = g_ptr_array_index (document->items, i);

          if (candidate->kind == TOML_ITEM_KEY_VALUE && g_str_equal (candidate->table, table_path))
            insert_at = MAX (insert_at, candidate->line_end);
        }

      g_string_append_len (result, text, insert_at);
      if (insert_at > 0 && text[insert_at - 1] != '\n')
        g_string_append_c (result, '\n');
      g_string_append_printf (result, "%s = %s\n", key, value);
      g_string_append (result, text + insert_at);
    }
  else
    {
      if (g_hash_table_contains (document->dotted_tables, table_path)
          || g_hash_table_contains (document->array_tables, table_path)
          || g_hash_table_contains (document->keys, table_path))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("“%s” is already defined as a value, an array of tables or with dotted "
                         "keys, so a [%s] table cannot be added. Set %s.%s by hand."),
                       table, table, table, key);
          return NULL;
        }

      g_string_append (result, text);
      if (result->len > 0 && result->str[result->len - 1] != '\n')
        g_string_append_c (result, '\n');
      if (result->len > 0)
        g_string_append_c (result, '\n');
      g_string_append_printf (result, "[%s]\n%s = %s\n", table, key, value);
    }

  /* An edit of valid TOML must stay valid, so a failure here is a bug in
   * this editor.
   */
  check = toml_scan (result->str, error);
  if (check == NULL)
    {
      g_prefix_error (error, _("The edited text would not be valid TOML: "));
      return NULL;
    }

  return g_string_free (g_steal_pointer (&result), FALSE);
}

char *
exitbox_doctor_toml_dup_value (const char  *text,
                               const char  *table,
                               const char  *key,
                               GError     **error)
{
  g_autoptr(TomlDocument) document = NULL;
  g_autofree char *table_path = NULL;
  g_autofree char *key_path = NULL;
  TomlItem *item;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (table != NULL && key != NULL, NULL);

  document = toml_scan (text, error);
  if (document == NULL)
    return NULL;

  table_path = table_to_path (table);
  key_path = g_strdup_printf ("%s%c%s", table_path, PATH_SEPARATOR, key);
  item = toml_find_item (document, TOML_ITEM_KEY_VALUE, key_path);
  if (item == NULL)
    return NULL;

  return g_strndup (text + item->value_start, item->value_end - item->value_start);
}

/* default_ulimits ----------------------------------------------------------- */

static gboolean
parse_string_array (const char  *value,
                    GPtrArray   *entries,
                    GError     **error)
{
  TomlScanner scanner = { value, 0, 1 };

  toml_skip_array_space (&scanner);
  if (value[scanner.pos] != '[')
    return toml_fail (&scanner, error, _("default_ulimits is not an array"));
  scanner.pos++;

  for (;;)
    {
      g_autoptr(GString) entry = g_string_new (NULL);
      char c;

      toml_skip_array_space (&scanner);
      c = value[scanner.pos];
      if (c == ']')
        return TRUE;
      if (c != '"' && c != '\'')
        return toml_fail (&scanner, error, _("default_ulimits contains a value that is not a string"));

      if (!toml_scan_string (&scanner, entry, TRUE, error))
        return FALSE;
      g_ptr_array_add (entries, g_string_free (g_steal_pointer (&entry), FALSE));

      toml_skip_array_space (&scanner);
      if (value[scanner.pos] == ',')
        scanner.pos++;
      else if (value[scanner.pos] != ']')
        return toml_fail (&scanner, error, _("expected “,” or “]” in an array"));
    }
}

static void
append_toml_string (GString    *out,
                    const char *value)
{
  g_string_append_c (out, '"');
  for (const char *c = value; *c != '\0'; c++)
    {
      if (*c == '"' || *c == '\\')
        g_string_append_c (out, '\\');

      if ((guchar) *c < 0x20)
        g_string_append_printf (out, "\\u%04x", (guint) (guchar) *c);
      else
        g_string_append_c (out, *c);
    }
  g_string_append_c (out, '"');
}

static gboolean
ulimit_names (const char *entry,
              const char *name)
{
  gsize length = strlen (name);

  return strncmp (entry, name, length) == 0 && entry[length] == '=';
}

char *
exitbox_doctor_merge_ulimits (const char  *current_value,
                              rlim_t       nofile_hard_limit,
                              rlim_t       nproc_hard_limit,
                              GError     **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) merged = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) out = g_string_new ("[");

  if (current_value != NULL && !parse_string_array (current_value, entries, error))
    return NULL;

  for (guint i = 0; i < entries->len; i++)
    {
      const char *entry = g_ptr_array_index (entries, i);

      if (nofile_hard_limit != RLIM_INFINITY && ulimit_names (entry, "nofile"))
        continue;
      if (nproc_hard_limit != RLIM_INFINITY && ulimit_names (entry, "nproc"))
        continue;
      g_ptr_array_add (merged, g_strdup (entry));
    }

  /* Soft and hard limit both at the host's hard limit: the most a
   * container may have without raising a limit.
   */
  if (nofile_hard_limit != RLIM_INFINITY)
    g_ptr_array_add (merged, g_strdup_printf ("nofile=%llu:%llu",
                                              (unsigned long long) nofile_hard_limit,
                                              (unsigned long long) nofile_hard_limit));
  if (nproc_hard_limit != RLIM_INFINITY)
    g_ptr_array_add (merged, g_strdup_printf ("nproc=%llu:%llu",
                                              (unsigned long long) nproc_hard_limit,
                                              (unsigned long long) nproc_hard_limit));

  for (guint i = 0; i < merged->len; i++)
    {
      if (i > 0)
        g_string_append (out, ", ");
      append_toml_string (out, g_ptr_array_index (merged, i));
    }
  g_string_append_c (out, ']');

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Configuration files ----------------------------------------------------- */

/* A missing file reads as empty. Text that is not UTF-8 is an error, so a
 * file ExitBox cannot understand is never rewritten.
 */
static char *
read_config_file (const char  *path,
                  GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_strdup ("");

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Could not read %s: %s"), path, local_error->message);
      return NULL;
    }

  if (!g_utf8_validate (contents, length, NULL) || strlen (contents) != length)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s is not UTF-8 text, so ExitBox left it unchanged. Edit it by hand."), path);
      return NULL;
    }

  return g_steal_pointer (&contents);
}

/* Replaces the file atomically: GLib writes a temporary file next to it,
 * fsyncs it and renames it over the old one. A symbolic link is followed,
 * so the link (for example into a dotfiles repository) stays.
 */
static gboolean
write_config_file (const char  *path,
                   const char  *text,
                   GError     **error)
{
  g_autofree char *resolved = realpath (path, NULL);
  const char *target = resolved != NULL ? resolved : path;
  g_autofree char *dir = g_path_get_dirname (target);
  g_autoptr(GError) local_error = NULL;
  struct stat info;
  int mode = 0644;

  /* Engine configuration contains no secrets, and a system-wide drop-in folder
   * must stay readable by every user of the engine.
   */
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not create the folder %s: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }

  if (g_stat (target, &info) == 0)
    mode = info.st_mode & 0777;

  if (!g_file_set_contents_full (target, text, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 mode, &local_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Could not save %s: %s"), target, local_error->message);
      return FALSE;
    }

  return TRUE;
}

static gboolean
save_config_text (const char  *path,
                  const char  *old_text,
                  const char  *new_text,
                  GError     **error)
{
  if (g_str_equal (old_text, new_text))
    return TRUE;

  return write_config_file (path, new_text, error);
}

static void
prefix_parse_error (GError     **error,
                    const char  *path)
{
  g_prefix_error (error, _("Could not understand %s, so ExitBox left it unchanged. Fix or remove "
                           "the text it names, or edit the file by hand: "), path);
}

static gboolean
set_config_value (const char  *path,
                  const char  *table,
                  const char  *key,
                  const char  *value,
                  GError     **error)
{
  g_autofree char *text = read_config_file (path, error);
  g_autofree char *edited = NULL;

  if (text == NULL)
    return FALSE;

  edited = exitbox_doctor_toml_set_value (text, table, key, value, error);
  if (edited == NULL)
    {
      prefix_parse_error (error, path);
      return FALSE;
    }

  return save_config_text (path, text, edited, error);
}

static gboolean
set_config_ulimits (const char  *path,
                    GError     **error)
{
  rlim_t nofile;
  rlim_t nproc;
  g_autofree char *text = NULL;
  g_autofree char *current = NULL;
  g_autofree char *merged = NULL;
  g_autofree char *edited = NULL;
  g_autoptr(GError) local_error = NULL;

  exitbox_doctor_get_container_limits (&nofile, &nproc);
  if (nofile == RLIM_INFINITY && nproc == RLIM_INFINITY)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("This session has no hard limit on open files or processes, so lowering "
                     "podman’s default limits cannot fix the failure."));
      return FALSE;
    }

  text = read_config_file (path, error);
  if (text == NULL)
    return FALSE;

  current = exitbox_doctor_toml_dup_value (text, "containers", "default_ulimits", &local_error);
  if (local_error == NULL)
    merged = exitbox_doctor_merge_ulimits (current, nofile, nproc, &local_error);
  if (local_error == NULL)
    edited = exitbox_doctor_toml_set_value (text, "containers", "default_ulimits", merged,
                                            &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      prefix_parse_error (error, path);
      return FALSE;
    }

  return save_config_text (path, text, edited, error);
}

/* Check ------------------------------------------------------------------- */

static char *
read_small_file (const char *path)
{
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;

  return contents;
}

static void
gather_host_facts (ExitboxDoctorFacts *facts,
                   ExitboxEngine      *engine,
                   gboolean            check_init_helper)
{
  facts->kind = exitbox_engine_get_kind (engine);
  facts->rootless = exitbox_engine_get_rootless (engine);
  facts->in_flatpak = exitbox_engine_get_in_flatpak (engine);
  exitbox_doctor_get_container_limits (&facts->nofile_hard_limit, &facts->nproc_hard_limit);
  facts->containers_conf_path =
    exitbox_doctor_dup_containers_conf_path (facts->kind, facts->rootless, facts->in_flatpak);
  facts->storage_conf_path =
    exitbox_doctor_dup_storage_conf_path (facts->kind, facts->rootless, facts->in_flatpak);
  facts->runc_available = find_runc ();

  /* NOTE: inside Flatpak these files belong to the sandbox, not to the host
   * that runs the engine, so only the engine's own output is checked there.
   */
  if (facts->in_flatpak)
    return;

  {
    g_autofree char *mounts = read_small_file ("/proc/self/mounts");
    g_autofree char *controllers = read_small_file ("/sys/fs/cgroup/unified/cgroup.controllers");

    facts->cgroup_blocks_crun = exitbox_doctor_cgroup_blocks_crun (mounts, controllers);
  }

  if (facts->rootless)
    {
      const char *runtime_dir = g_getenv ("XDG_RUNTIME_DIR");

      facts->tun_state = exitbox_doctor_check_tun_device ("/dev/net/tun");
      facts->runtime_dir = g_strdup (runtime_dir);
      facts->runtime_dir_state = exitbox_doctor_check_runtime_dir (runtime_dir, getuid (),
                                                                   &facts->runtime_dir_mode);
    }

  /* Without a test container this file check is the only evidence. With
   * one, the container's own error decides, because init_path may point
   * elsewhere.
   */
  if (check_init_helper && facts->kind == EXITBOX_ENGINE_KIND_PODMAN)
    facts->init_helper_missing = !find_catatonit ();
}

static const char * const info_args[] = { "info", "--format", "json", NULL };

static char **
build_test_run_args (const char *test_image)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  /* --pull=never: no registry is contacted, a missing image fails at once. */
  g_strv_builder_add_many (builder, "run", "--rm", "--init", "--network", "none", "--pull=never",
                           test_image, "true", NULL);
  return g_strv_builder_end (builder);
}

static void
record_info_result (ExitboxDoctorFacts  *facts,
                    ExitboxEngine       *engine,
                    ExitboxEngineResult *result)
{
  g_autoptr(GError) error = NULL;

  if (result->exit_status == 0 && exitbox_doctor_facts_read_info (facts, result->stdout_text, &error))
    return;

  facts->info_command = exitbox_engine_dup_display_command (engine, info_args);
  if (error != NULL)
    facts->info_failure = g_strdup (error->message);
  else
    facts->info_failure = g_strstrip (g_strdup (result->stderr_text));
}

static void
record_run_result (ExitboxDoctorFacts  *facts,
                   ExitboxEngine       *engine,
                   const char * const  *args,
                   ExitboxEngineResult *result)
{
  if (result->exit_status == 0)
    return;

  facts->run_command = exitbox_engine_dup_display_command (engine, args);
  facts->run_failure = g_strstrip (g_strdup (result->stderr_text));
  if (*facts->run_failure == '\0')
    {
      g_free (facts->run_failure);
      facts->run_failure = g_strdup_printf (_("exit status %d without a message"),
                                            result->exit_status);
    }
}

typedef struct
{
  ExitboxDoctorFacts   facts;
  char               **run_args;
  guint                pending;
  GError              *error;
} CheckData;

static void
check_data_free (CheckData *data)
{
  exitbox_doctor_facts_clear (&data->facts);
  g_strfreev (data->run_args);
  g_clear_error (&data->error);
  g_free (data);
}

/* The info call and the test container run concurrently, and the task
 * returns when both are done.
 */
static void
check_step_done (GTask  *task,
                 GError *error)
{
  CheckData *data = g_task_get_task_data (task);

  if (error != NULL && data->error == NULL)
    data->error = error;
  else if (error != NULL)
    g_error_free (error);

  g_assert (data->pending > 0);
  if (--data->pending > 0)
    return;

  if (data->error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&data->error));
      return;
    }

  g_task_return_pointer (task, exitbox_doctor_problems_from_facts (&data->facts),
                         (GDestroyNotify) g_ptr_array_unref);
}

static void
check_info_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  ExitboxEngine *engine = EXITBOX_ENGINE (object);
  g_autoptr(GTask) task = user_data;
  CheckData *data = g_task_get_task_data (task);
  g_autoptr(ExitboxEngineResult) run_result = NULL;
  GError *error = NULL;

  run_result = exitbox_engine_run_finish (engine, result, &error);
  if (run_result != NULL)
    record_info_result (&data->facts, engine, run_result);

  check_step_done (task, error);
}

static void
check_run_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  ExitboxEngine *engine = EXITBOX_ENGINE (object);
  g_autoptr(GTask) task = user_data;
  CheckData *data = g_task_get_task_data (task);
  g_autoptr(ExitboxEngineResult) run_result = NULL;
  GError *error = NULL;

  run_result = exitbox_engine_run_finish (engine, result, &error);
  if (run_result != NULL)
    record_run_result (&data->facts, engine, (const char * const *) data->run_args, run_result);

  check_step_done (task, error);
}

void
exitbox_doctor_check_async (ExitboxEngine       *engine,
                            const char          *test_image,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  CheckData *data;

  g_return_if_fail (EXITBOX_IS_ENGINE (engine));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (engine, cancellable, callback, user_data);
  g_task_set_source_tag (task, exitbox_doctor_check_async);

  data = g_new0 (CheckData, 1);
  facts_init (&data->facts);
  g_task_set_task_data (task, data, (GDestroyNotify) check_data_free);

  gather_host_facts (&data->facts, engine, test_image == NULL);

  /* One count for this function, so that a callback that runs early cannot
   * finish the task before every step has started.
   */
  data->pending = 1;

  if (data->facts.kind == EXITBOX_ENGINE_KIND_PODMAN)
    {
      data->pending++;
      exitbox_engine_run_async (engine, info_args, cancellable, check_info_cb, g_object_ref (task));
    }

  if (test_image != NULL)
    {
      data->run_args = build_test_run_args (test_image);
      data->pending++;
      exitbox_engine_run_async (engine, (const char * const *) data->run_args, cancellable,
                                check_run_cb, g_object_ref (task));
    }

  check_step_done (task, NULL);
}

GPtrArray *
exitbox_doctor_check_finish (ExitboxEngine  *engine,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (EXITBOX_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (g_task_is_valid (result, engine), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

GPtrArray *
exitbox_doctor_check (ExitboxEngine  *engine,
                      const char     *test_image,
                      GCancellable   *cancellable,
                      GError        **error)
{
  ExitboxDoctorFacts facts;
  GPtrArray *problems;

  g_return_val_if_fail (EXITBOX_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  facts_init (&facts);
  gather_host_facts (&facts, engine, test_image == NULL);

  if (facts.kind == EXITBOX_ENGINE_KIND_PODMAN)
    {
      g_autoptr(ExitboxEngineResult) result = exitbox_engine_run (engine, info_args, cancellable,
                                                                  error);
      if (result == NULL)
        {
          exitbox_doctor_facts_clear (&facts);
          return NULL;
        }
      record_info_result (&facts, engine, result);
    }

  if (test_image != NULL)
    {
      g_auto(GStrv) run_args = build_test_run_args (test_image);
      g_autoptr(ExitboxEngineResult) result = exitbox_engine_run (engine,
                                                                  (const char * const *) run_args,
                                                                  cancellable, error);
      if (result == NULL)
        {
          exitbox_doctor_facts_clear (&facts);
          return NULL;
        }
      record_run_result (&facts, engine, (const char * const *) run_args, result);
    }

  problems = exitbox_doctor_problems_from_facts (&facts);
  exitbox_doctor_facts_clear (&facts);

  return problems;
}

/* Fix --------------------------------------------------------------------- */

static gboolean
set_not_supported_error (GError               **error,
                         ExitboxDoctorProblem  *problem)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               _("ExitBox cannot fix “%s” by itself. %s"), problem->summary, problem->fix);
  return FALSE;
}

/* Counts the lines of what `podman ARGS` prints, leaving out the line
 * @ignored. Returns -1 with @error set when the command fails.
 */
static int
count_engine_lines (ExitboxEngine       *engine,
                    const char * const  *args,
                    const char          *ignored,
                    GError             **error)
{
  g_autofree char *output = NULL;
  g_auto(GStrv) lines = NULL;
  int count = 0;

  if (!exitbox_engine_run_checked (engine, args, &output, NULL, error))
    return -1;

  lines = g_strsplit (output, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_strstrip (lines[i]);
      if (lines[i][0] != '\0' && g_strcmp0 (lines[i], ignored) != 0)
        count++;
    }

  return count;
}

/* Podman keeps the storage driver it first used in its database, so a new
 * driver in storage.conf only works after `podman system reset`, which
 * deletes every image, container, volume and network. This resets only
 * an empty storage. Otherwise storage.conf stays as it is and the user gets
 * the steps: a driver set without the reset makes every podman command
 * print an error.
 */
static gboolean
switch_to_overlay (ExitboxEngine  *engine,
                   const char     *storage_conf,
                   GError        **error)
{
  const char * const images_args[] = { "images", "--all", "--quiet", NULL };
  const char * const containers_args[] = { "ps", "--all", "--quiet", NULL };
  const char * const volumes_args[] = { "volume", "ls", "--quiet", NULL };
  const char * const networks_args[] = { "network", "ls", "--format", "{{.Name}}", NULL };
  const char * const reset_args[] = { "system", "reset", "--force", NULL };
  int n_images;
  int n_containers;
  int n_volumes;
  int n_networks;

  n_images = count_engine_lines (engine, images_args, NULL, error);
  if (n_images < 0)
    return FALSE;
  n_containers = count_engine_lines (engine, containers_args, NULL, error);
  if (n_containers < 0)
    return FALSE;
  n_volumes = count_engine_lines (engine, volumes_args, NULL, error);
  if (n_volumes < 0)
    return FALSE;
  /* "podman" is the default network, which a reset creates again. */
  n_networks = count_engine_lines (engine, networks_args, "podman", error);
  if (n_networks < 0)
    return FALSE;

  if (n_images + n_containers + n_volumes + n_networks > 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("Podman’s storage is not empty (images: %d, containers: %d, volumes: %d, "
                     "networks: %d), and switching it to overlay deletes all of it, so ExitBox "
                     "does not do it for you. Keep what you need (for example with “podman save”), "
                     "set driver = \"overlay\" in the [storage] table of %s, and run "
                     "“podman system reset”. ExitBox builds its images again."),
                   n_images, n_containers, n_volumes, n_networks, storage_conf);
      return FALSE;
    }

  if (!set_config_value (storage_conf, "storage", "driver", "\"overlay\"", error))
    return FALSE;

  return exitbox_engine_run_checked (engine, reset_args, NULL, NULL, error);
}

gboolean
exitbox_doctor_apply_fix (ExitboxEngine         *engine,
                          ExitboxDoctorProblem  *problem,
                          GError               **error)
{
  ExitboxEngineKind kind;
  gboolean rootless;
  gboolean in_flatpak;
  g_autofree char *containers_conf = NULL;
  g_autofree char *storage_conf = NULL;

  g_return_val_if_fail (EXITBOX_IS_ENGINE (engine), FALSE);
  g_return_val_if_fail (problem != NULL && problem->id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  kind = exitbox_engine_get_kind (engine);
  rootless = exitbox_engine_get_rootless (engine);
  in_flatpak = exitbox_engine_get_in_flatpak (engine);
  containers_conf = exitbox_doctor_dup_containers_conf_path (kind, rootless, in_flatpak);
  storage_conf = exitbox_doctor_dup_storage_conf_path (kind, rootless, in_flatpak);

  if (g_str_equal (problem->id, "oci-runtime") && containers_conf != NULL)
    {
      if (!find_runc ())
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       _("runc is not installed. Install it with “sudo apt install runc”, then "
                         "apply the fix again."));
          return FALSE;
        }

      return set_config_value (containers_conf, "engine", "runtime", "\"runc\"", error);
    }

  if (g_str_equal (problem->id, "ulimits") && containers_conf != NULL)
    return set_config_ulimits (containers_conf, error);

  if (g_str_equal (problem->id, "storage-driver") && storage_conf != NULL)
    return switch_to_overlay (engine, storage_conf, error);

  if (g_str_equal (problem->id, "pause-process") && kind == EXITBOX_ENGINE_KIND_PODMAN)
    {
      const char * const migrate_args[] = { "system", "migrate", NULL };

      return exitbox_engine_run_checked (engine, migrate_args, NULL, NULL, error);
    }

  return set_not_supported_error (error, problem);
}
