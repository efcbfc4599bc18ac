/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "exitbox-firewall.h"
#include "exitbox-launch-plan.h"
#include "exitbox-paths.h"
#include "exitbox-proxy-log.h"
#include "exitbox-proxy-session.h"
#include "exitbox-squid-config.h"

/* The host folder a proxy container reads squid.conf from. A proxy started
 * by a run with other ExitBox folders is not ours to reload.
 */
#define LABEL_PROXY_CONFIG "exitbox.proxy.config"
/* The host folder mounted as the proxy's log folder. A proxy without it
 * predates the readable logs and is replaced.
 */
#define LABEL_PROXY_LOGS "exitbox.proxy.logs"
/* The DNS servers and search domains the proxy was started with (--dns,
 * --dns-search). They are fixed in its resolv.conf, so a launch with
 * other values of EXITBOX_SQUID_DNS or EXITBOX_SQUID_DNS_SEARCH replaces
 * the proxy.
 */
#define LABEL_PROXY_DNS "exitbox.proxy.dns"

/* The file next to squid.conf that a new configuration is written to
 * first, and the name it keeps when squid rejects it.
 */
/* Files in the proxy folder: the stamp whose modification time is when the
 * last session ended, and the lock that a running desktop app holds shared.
 */
#define IDLE_STAMP_NAME "idle-since"
#define DESKTOP_LOCK_NAME "desktop.lock"

#define CANDIDATE_CONFIG_NAME "squid.conf.new"
/* The gateway addresses that squid.conf blocks, one a line, for
 * exitbox_firewall_dup_host_gateways().
 */
#define HOST_GATEWAYS_NAME "host-gateways"
#define REJECTED_CONFIG_NAME "squid.conf.rejected"
/* The proxy's last address on the internal network, which a restarted
 * proxy takes again.
 */
#define PROXY_ADDRESS_NAME "proxy-address"

/* How long a freshly started proxy may take to write its pid file:
 * 50 checks, 100 ms apart.
 */
/* The size of access.log above which a launch asks squid to rotate it.
 * squid.conf keeps one old file (logfile_rotate 1), so the logs use at
 * most about twice this much.
 */
#define MAX_ACCESS_LOG_SIZE (16 * 1024 * 1024)

#define PROXY_READY_CHECKS 50
#define PROXY_READY_INTERVAL_US (100 * 1000)

struct _ExitboxFirewall
{
  GObject              parent_instance;

  ExitboxEngine       *engine;
  ExitboxImageBuilder *images;
};

G_DEFINE_FINAL_TYPE (ExitboxFirewall, exitbox_firewall, G_TYPE_OBJECT)

/* The warm launch path inspects only the proxy container: a running proxy
 * attached to the internal network proves both networks exist, and its own
 * inspect output carries the internal subnet. Networks are inspected only
 * when the proxy has to be started (podman 4.3 needs a separate call for
 * them).
 */
static const char * const inspect_names[] = {
  EXITBOX_PROXY_CONTAINER,
  NULL
};

static const char * const network_names[] = {
  EXITBOX_NETWORK_INTERNAL,
  EXITBOX_NETWORK_EGRESS,
  NULL
};

static void
exitbox_firewall_dispose (GObject *object)
{
  ExitboxFirewall *self = EXITBOX_FIREWALL (object);

  g_clear_object (&self->engine);
  g_clear_object (&self->images);

  G_OBJECT_CLASS (exitbox_firewall_parent_class)->dispose (object);
}

static void
exitbox_firewall_class_init (ExitboxFirewallClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = exitbox_firewall_dispose;
}

static void
exitbox_firewall_init (ExitboxFirewall *self)
{
}

ExitboxFirewall *
exitbox_firewall_new (ExitboxEngine       *engine,
                      ExitboxImageBuilder *images)
{
  ExitboxFirewall *self;

  g_return_val_if_fail (EXITBOX_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (EXITBOX_IS_IMAGE_BUILDER (images), NULL);

  self = g_object_new (EXITBOX_TYPE_FIREWALL, NULL);
  self->engine = g_object_ref (engine);
  self->images = g_object_ref (images);

  return self;
}

const char * const *
exitbox_firewall_get_inspect_names (void)
{
  return inspect_names;
}

ExitboxFirewallState
exitbox_firewall_get_state (ExitboxFirewall   *self,
                            ExitboxInspection *inspection)
{
  g_return_val_if_fail (EXITBOX_IS_FIREWALL (self), EXITBOX_FIREWALL_STATE_ERROR);
  g_return_val_if_fail (EXITBOX_IS_INSPECTION (inspection), EXITBOX_FIREWALL_STATE_ERROR);

  if (!exitbox_inspection_get_container_running (inspection, EXITBOX_PROXY_CONTAINER))
    return EXITBOX_FIREWALL_STATE_STOPPED;

  /* A proxy that is not on the internal network cannot serve any agent. */
  if (exitbox_inspection_get_container_address (inspection, EXITBOX_PROXY_CONTAINER,
                                                EXITBOX_NETWORK_INTERNAL) == NULL)
    return EXITBOX_FIREWALL_STATE_ERROR;

  return EXITBOX_FIREWALL_STATE_RUNNING;
}

typedef struct
{
  ExitboxInspection *inspection;
  ExitboxAllowlist  *allowlist;
  char              *session_name;     /* NULL when no address is reserved */
  GPtrArray         *session_entries;  /* element type ExitboxAllowlistEntry */
} EnsureData;

static void
ensure_data_free (EnsureData *data)
{
  g_clear_object (&data->inspection);
  g_clear_object (&data->allowlist);
  g_free (data->session_name);
  g_clear_pointer (&data->session_entries, g_ptr_array_unref);
  g_free (data);
}

/* What ensure returns: the proxy's address and the session's address on
 * the internal network.
 */
typedef struct
{
  char *proxy_address;
  char *session_address;
} EnsureResult;

static void
ensure_result_free (EnsureResult *result)
{
  g_free (result->proxy_address);
  g_free (result->session_address);
  g_free (result);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EnsureResult, ensure_result_free)

static gboolean
run_engine (ExitboxFirewall     *self,
            const char * const  *args,
            char               **out_stdout,
            GCancellable        *cancellable,
            GError             **error)
{
  return exitbox_engine_run_checked (self->engine, args, out_stdout, cancellable, error);
}

/* Takes the advisory lock that serialises every change to proxy state
 * between ExitBox processes. Returns the descriptor to close, or -1.
 */
static int
lock_proxy_state (const char  *cache_dir,
                  GError     **error)
{
  g_autofree char *lock_path = g_build_filename (cache_dir, "proxy.lock", NULL);
  int fd;

  fd = g_open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0 || flock (fd, LOCK_EX) != 0)
    {
      int saved_errno = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Failed to lock %s: %s"), lock_path, g_strerror (saved_errno));
      return -1;
    }

  return fd;
}

/* Removes an internal network that an older ExitBox created with the
 * engine's DNS server on it: that server forwards to the host's resolvers,
 * so agents could resolve external names. Fails while containers use it.
 */
static gboolean
remove_network_with_dns (ExitboxFirewall  *self,
                         const char       *network,
                         GCancellable     *cancellable,
                         GError          **error)
{
  const char *args[] = { "network", "rm", network, NULL };
  g_autoptr(GError) local_error = NULL;

  if (run_engine (self, args, NULL, cancellable, &local_error))
    return TRUE;

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
               _("The network %s runs a DNS server that would let agents resolve external "
                 "names, and it could not be replaced: %s. Stop the containers that use it, "
                 "run “%s network rm %s” and launch again."),
               network, local_error->message, exitbox_engine_get_name (self->engine), network);
  return FALSE;
}

static gboolean
ensure_network (ExitboxFirewall    *self,
                ExitboxInspection  *inspection,
                const char         *network,
                gboolean            internal,
                gboolean           *out_created,
                GCancellable       *cancellable,
                GError            **error)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  gboolean podman = exitbox_engine_get_kind (self->engine) == EXITBOX_ENGINE_KIND_PODMAN;

  *out_created = FALSE;

  if (exitbox_inspection_has_network (inspection, network))
    {
      if (internal && !exitbox_inspection_get_network_internal (inspection, network))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       _("The network %s exists but is not internal, so agents on it could reach "
                         "the internet directly. Remove it with “%s network rm %s” and launch again."),
                       network, exitbox_engine_get_name (self->engine), network);
          return FALSE;
        }

      if (!(internal && podman && exitbox_inspection_get_network_dns_enabled (inspection, network)))
        return TRUE;

      if (!remove_network_with_dns (self, network, cancellable, error))
        return FALSE;
    }

  g_ptr_array_add (args, "network");
  g_ptr_array_add (args, "create");
  if (internal)
    {
      g_ptr_array_add (args, "--internal");
      /* Podman's DNS server on a network forwards unknown names to the
       * host's resolvers (seen with rootless podman 4.3 and --userns=keep-id),
       * which would undo the container's unusable --dns.
       */
      if (podman)
        g_ptr_array_add (args, "--disable-dns");
    }
  g_ptr_array_add (args, (gpointer) network);
  g_ptr_array_add (args, NULL);

  if (!run_engine (self, (const char * const *) args->pdata, NULL, cancellable, error))
    return FALSE;

  *out_created = TRUE;
  return TRUE;
}

static char *
dup_proxy_dir (const char *cache_dir)
{
  return g_build_filename (cache_dir, "proxy", NULL);
}

static char *
dup_log_dir (const char *proxy_dir)
{
  return g_build_filename (proxy_dir, "logs", NULL);
}

/* Collects the lines of squid's output that explain a rejected
 * configuration. Squid 5.7 reports an unknown directive as "unrecognized"
 * and still exits with 0, so those lines count as a rejection too.
 */
static char *
dup_parse_problems (const char *output)
{
  g_auto(GStrv) lines = g_strsplit (output != NULL ? output : "", "\n", -1);
  g_autoptr(GString) problems = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (strstr (lines[i], "FATAL") == NULL && strstr (lines[i], "ERROR") == NULL &&
          strstr (lines[i], "unrecognized") == NULL && strstr (lines[i], "Bad ") == NULL &&
          strstr (lines[i], "not found") == NULL)
        continue;

      if (problems->len > 0)
        g_string_append_c (problems, '\n');
      g_string_append (problems, g_strstrip (lines[i]));
    }

  if (problems->len == 0)
    return NULL;

  return g_string_free (g_steal_pointer (&problems), FALSE);
}

/* Runs `squid -k parse` over the candidate file, inside the running proxy
 * (@running) or in a throwaway container of the proxy image.
 */
static gboolean
check_candidate_config (ExitboxFirewall  *self,
                        const char       *proxy_dir,
                        gboolean          running,
                        GCancellable     *cancellable,
                        GError          **error)
{
  const char *candidate = EXITBOX_PROXY_CONFIG_DIR "/" CANDIDATE_CONFIG_NAME;
  const char *exec_args[] = {
    "exec", EXITBOX_PROXY_CONTAINER, "squid", "-k", "parse", "-f", candidate, NULL
  };
  g_autofree char *mount = g_strdup_printf ("type=bind,\"source=%s\",destination=%s,readonly",
                                            proxy_dir, EXITBOX_PROXY_CONFIG_DIR);
  const char *run_args[] = {
    "run", "--rm", "--network", "none", "--mount", mount, EXITBOX_IMAGE_PROXY,
    "squid", "-k", "parse", "-f", candidate, NULL
  };
  g_autoptr(ExitboxEngineResult) result = NULL;
  g_autofree char *problems = NULL;
  g_autofree char *candidate_path = NULL;
  g_autofree char *rejected_path = NULL;

  result = exitbox_engine_run (self->engine, running ? exec_args : run_args, cancellable, error);
  if (result == NULL)
    return FALSE;

  problems = dup_parse_problems (result->stderr_text);
  if (result->exit_status == 0 && problems == NULL)
    return TRUE;

  /* Keep the rejected text for the user to read; squid.conf stays the
   * last configuration squid accepted.
   */
  candidate_path = g_build_filename (proxy_dir, CANDIDATE_CONFIG_NAME, NULL);
  rejected_path = g_build_filename (proxy_dir, REJECTED_CONFIG_NAME, NULL);
  if (g_rename (candidate_path, rejected_path) != 0)
    g_warning ("Failed to rename %s to %s: %s", candidate_path, rejected_path, g_strerror (errno));

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               _("Squid rejected the new proxy configuration, so the proxy keeps its current "
                 "rules. The rejected file is %s. Squid reported: %s"),
               rejected_path,
               problems != NULL ? problems
                                : (result->stderr_text != NULL ? g_strstrip (result->stderr_text)
                                                               : ""));
  return FALSE;
}

/* Writes squid.conf when its text changed, after squid accepted the new
 * text. On a rejection squid.conf keeps the last accepted text.
 */
static gboolean
write_proxy_config (ExitboxFirewall     *self,
                    const char          *proxy_dir,
                    const char          *text,
                    gboolean             running,
                    gboolean            *out_changed,
                    GCancellable        *cancellable,
                    GError             **error)
{
  g_autofree char *path = g_build_filename (proxy_dir, "squid.conf", NULL);
  g_autofree char *candidate_path = g_build_filename (proxy_dir, CANDIDATE_CONFIG_NAME, NULL);
  g_autofree char *current = NULL;

  *out_changed = FALSE;

  if (g_file_get_contents (path, &current, NULL, NULL) && g_str_equal (current, text))
    return TRUE;

  /* The proxy's unprivileged user reads this through a bind mount, also
   * under rootless podman where it runs as a sub-uid, and it contains no
   * secrets.
   */
  if (!exitbox_write_file_atomically (candidate_path, text, -1, 0644, error))
    return FALSE;

  if (!check_candidate_config (self, proxy_dir, running, cancellable, error))
    return FALSE;

  if (g_rename (candidate_path, path) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Failed to rename %s to %s: %s"), candidate_path, path,
                   g_strerror (saved_errno));
      return FALSE;
    }

  *out_changed = TRUE;
  return TRUE;
}

static gboolean
wait_for_proxy (ExitboxFirewall  *self,
                GCancellable     *cancellable,
                GError          **error)
{
  const char *args[] = {
    "exec", EXITBOX_PROXY_CONTAINER, "squid", "-k", "check", "-f", EXITBOX_PROXY_CONFIG_FILE, NULL
  };
  g_autoptr(ExitboxEngineResult) result = NULL;

  for (guint i = 0; i < PROXY_READY_CHECKS; i++)
    {
      g_clear_pointer (&result, exitbox_engine_result_free);
      result = exitbox_engine_run (self->engine, args, cancellable, error);
      if (result == NULL)
        return FALSE;
      if (result->exit_status == 0)
        return TRUE;

      g_usleep (PROXY_READY_INTERVAL_US);
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
               _("The proxy container %s did not start: %s. See “%s logs %s”."),
               EXITBOX_PROXY_CONTAINER,
               result->stderr_text != NULL ? g_strstrip (result->stderr_text) : "",
               exitbox_engine_get_name (self->engine), EXITBOX_PROXY_CONTAINER);
  return FALSE;
}

/* Adds --dns-search for each search domain, or "--dns-search ." without
 * any, which leaves the host's search domains out of the proxy's
 * resolv.conf.
 */
static void
append_dns_search_args (GPtrArray          *args,
                        const char * const *dns_search)
{
  if (dns_search == NULL || dns_search[0] == NULL)
    {
      g_ptr_array_add (args, g_strdup ("--dns-search"));
      g_ptr_array_add (args, g_strdup ("."));
      return;
    }

  for (guint i = 0; dns_search[i] != NULL; i++)
    {
      g_ptr_array_add (args, g_strdup ("--dns-search"));
      g_ptr_array_add (args, g_strdup (dns_search[i]));
    }
}

/* The value of LABEL_PROXY_DNS: the servers, then the search domains. */
static char *
dup_dns_label (const char * const *dns_servers,
               const char * const *dns_search)
{
  g_autofree char *servers = g_strjoinv (",", (char **) dns_servers);
  g_autofree char *search = dns_search != NULL ? g_strjoinv (",", (char **) dns_search)
                                               : g_strdup ("");

  return g_strdup_printf ("servers=%s;search=%s", servers, search);
}

/* Connects the proxy to the internal network, at @preferred_address when
 * it is not NULL and the engine accepts it, else at an address the engine
 * picks.
 */
static gboolean
connect_internal_network (ExitboxFirewall  *self,
                          const char       *preferred_address,
                          GCancellable     *cancellable,
                          GError          **error)
{
  const char *connect_args[] = {
    "network", "connect", EXITBOX_NETWORK_INTERNAL, EXITBOX_PROXY_CONTAINER, NULL
  };
  const char *connect_at_args[] = {
    "network", "connect", "--ip", preferred_address, EXITBOX_NETWORK_INTERNAL,
    EXITBOX_PROXY_CONTAINER, NULL
  };
  g_autoptr(GError) local_error = NULL;

  if (preferred_address != NULL)
    {
      if (run_engine (self, connect_at_args, NULL, cancellable, &local_error))
        return TRUE;

      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      /* Another container may hold the address by now. */
      g_debug ("The proxy could not take its previous address %s again: %s",
               preferred_address, local_error->message);
    }

  return run_engine (self, connect_args, NULL, cancellable, error);
}

static gboolean
start_proxy (ExitboxFirewall     *self,
             const char          *proxy_dir,
             const char * const  *dns_servers,
             const char * const  *dns_search,
             const char          *preferred_address,
             GCancellable        *cancellable,
             GError             **error)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *log_dir = dup_log_dir (proxy_dir);
  const char *remove_args[] = { "rm", "--force", EXITBOX_PROXY_CONTAINER, NULL };
  g_autoptr(ExitboxEngineResult) removed = NULL;
  g_autofree char *dns_label = dup_dns_label (dns_servers, dns_search);

  /* A stopped proxy keeps its name, so remove it before starting a new one. */
  removed = exitbox_engine_run (self->engine, remove_args, cancellable, error);
  if (removed == NULL)
    return FALSE;

  g_ptr_array_add (args, g_strdup ("run"));
  g_ptr_array_add (args, g_strdup ("--detach"));
  /* Squid rejects `-k reconfigure` when the pid file contains 1, so an init
   * process must be pid 1.
   */
  g_ptr_array_add (args, g_strdup ("--init"));
  g_ptr_array_add (args, g_strdup ("--name"));
  g_ptr_array_add (args, g_strdup (EXITBOX_PROXY_CONTAINER));
  g_ptr_array_add (args, g_strdup ("--network"));
  g_ptr_array_add (args, g_strdup (EXITBOX_NETWORK_EGRESS));
  for (guint i = 0; dns_servers[i] != NULL; i++)
    {
      g_ptr_array_add (args, g_strdup ("--dns"));
      g_ptr_array_add (args, g_strdup (dns_servers[i]));
    }
  append_dns_search_args (args, dns_search);
  g_ptr_array_add (args, g_strdup ("--security-opt=no-new-privileges"));
  g_ptr_array_add (args, g_strdup ("--label"));
  g_ptr_array_add (args, g_strdup_printf ("%s=%s", LABEL_PROXY_CONFIG, proxy_dir));
  g_ptr_array_add (args, g_strdup ("--label"));
  g_ptr_array_add (args, g_strdup_printf ("%s=%s", LABEL_PROXY_LOGS, log_dir));
  g_ptr_array_add (args, g_strdup ("--label"));
  g_ptr_array_add (args, g_strdup_printf ("%s=%s", LABEL_PROXY_DNS, dns_label));
  g_ptr_array_add (args, g_strdup ("--mount"));
  g_ptr_array_add (args, g_strdup_printf ("type=bind,\"source=%s\",destination=%s,readonly",
                                          proxy_dir, EXITBOX_PROXY_CONFIG_DIR));
  g_ptr_array_add (args, g_strdup ("--mount"));
  g_ptr_array_add (args, g_strdup_printf ("type=bind,\"source=%s\",destination=%s",
                                          log_dir, EXITBOX_PROXY_LOG_DIR));
  g_ptr_array_add (args, g_strdup (EXITBOX_IMAGE_PROXY));
  g_ptr_array_add (args, NULL);

  if (!run_engine (self, (const char * const *) args->pdata, NULL, cancellable, error))
    return FALSE;

  if (!connect_internal_network (self, preferred_address, cancellable, error))
    return FALSE;

  return wait_for_proxy (self, cancellable, error);
}

static gboolean
reload_proxy (ExitboxFirewall  *self,
              GCancellable     *cancellable,
              GError          **error)
{
  const char *args[] = {
    "exec", EXITBOX_PROXY_CONTAINER, "squid", "-k", "reconfigure", "-f", EXITBOX_PROXY_CONFIG_FILE, NULL
  };

  return run_engine (self, args, NULL, cancellable, error);
}

/* Rotates a large access log, so that it cannot fill the disk. */
static gboolean
rotate_large_log (ExitboxFirewall  *self,
                  const char       *proxy_dir,
                  GCancellable     *cancellable,
                  GError          **error)
{
  g_autofree char *log_dir = dup_log_dir (proxy_dir);
  g_autofree char *path = g_build_filename (log_dir, "access.log", NULL);
  const char *args[] = {
    "exec", EXITBOX_PROXY_CONTAINER, "squid", "-k", "rotate", "-f", EXITBOX_PROXY_CONFIG_FILE, NULL
  };
  GStatBuf log_stat;

  if (g_stat (path, &log_stat) != 0 || log_stat.st_size <= MAX_ACCESS_LOG_SIZE)
    return TRUE;

  return run_engine (self, args, NULL, cancellable, error);
}

static ExitboxInspection *
inspect (ExitboxFirewall     *self,
         const char * const  *names,
         GCancellable        *cancellable,
         GError             **error)
{
  return exitbox_engine_inspect (self->engine, names, cancellable, error);
}

static gboolean
proxy_is_current (ExitboxFirewall   *self,
                  ExitboxInspection *inspection,
                  const char        *proxy_dir,
                  const char        *dns_label)
{
  g_autofree char *log_dir = dup_log_dir (proxy_dir);
  const char *container_image;
  const char *current_image;

  if (exitbox_firewall_get_state (self, inspection) != EXITBOX_FIREWALL_STATE_RUNNING)
    return FALSE;

  if (g_strcmp0 (exitbox_inspection_get_container_label (inspection, EXITBOX_PROXY_CONTAINER,
                                                         LABEL_PROXY_CONFIG),
                 proxy_dir) != 0 ||
      g_strcmp0 (exitbox_inspection_get_container_label (inspection, EXITBOX_PROXY_CONTAINER,
                                                         LABEL_PROXY_LOGS),
                 log_dir) != 0)
    return FALSE;

  if (dns_label != NULL &&
      g_strcmp0 (exitbox_inspection_get_container_label (inspection, EXITBOX_PROXY_CONTAINER,
                                                         LABEL_PROXY_DNS),
                 dns_label) != 0)
    return FALSE;

  /* A proxy left over from an older proxy image is replaced. */
  container_image = exitbox_inspection_get_container_image_id (inspection, EXITBOX_PROXY_CONTAINER);
  current_image = exitbox_inspection_get_image_id (inspection, EXITBOX_IMAGE_PROXY);

  return container_image == NULL || current_image == NULL ||
         g_str_equal (container_image, current_image);
}

static gboolean
make_folder (const char  *path,
             int          mode,
             GError     **error)
{
  if (g_mkdir_with_parents (path, mode) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Failed to create %s: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

static gboolean
ensure_proxy_dir (const char  *proxy_dir,
                  GError     **error)
{
  g_autofree char *log_dir = dup_log_dir (proxy_dir);

  if (!make_folder (proxy_dir, 0755, error) || !make_folder (log_dir, 0777, error))
    return FALSE;

  /* Squid writes its logs as the container user "proxy", which is neither
   * the host user nor, under rootless podman, any uid of the host user, so
   * the folder must be writable by all. The cache folder above it is
   * private (0700) when ExitBox created it.
   */
  if (g_chmod (log_dir, 0777) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Failed to make %s writable for the proxy: %s"), log_dir,
                   g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

/* Whether the process @pid exists. EPERM means it exists but belongs to
 * another user.
 */
static gboolean
process_exists (gint64 pid)
{
  if (pid <= 0 || pid > G_MAXINT)
    return FALSE;

  return kill ((pid_t) pid, 0) == 0 || errno == EPERM;
}

/* Prunes the session history and saves it. Entries that ended before the
 * first line of the access log or more than EXITBOX_PROXY_HISTORY_MAX_DAYS
 * ago name no line that `exitbox firewall log` shows, so they are dropped.
 * A failure is only logged, because the history only names the sessions in
 * the log and no rule depends on it.
 */
static void
save_session_history (const char *proxy_dir,
                      GPtrArray  *history,
                      const char *path)
{
  g_autofree char *log_dir = dup_log_dir (proxy_dir);
  g_autofree char *log_path = g_build_filename (log_dir, "access.log", NULL);
  g_autoptr(GError) error = NULL;
  gint64 cutoff = g_get_real_time () - (gint64) EXITBOX_PROXY_HISTORY_MAX_DAYS * G_TIME_SPAN_DAY;
  gint64 first_line_time;

  if (exitbox_proxy_log_read_first_time (log_path, &first_line_time))
    cutoff = MAX (cutoff, first_line_time);

  exitbox_proxy_history_prune (history, cutoff);

  if (!exitbox_proxy_history_save (history, path, &error))
    g_warning ("Failed to save the session history: %s", error->message);
}

/* Records in the session history that each of the running @sessions that
 * has no open entry, such as the one that starts now, uses its address from
 * now on. A session started by an ExitBox without the history gets its
 * entry here too, so its earlier requests show only the address.
 */
static void
record_session_starts (const char *proxy_dir,
                       GPtrArray  *sessions)
{
  g_autofree char *path = g_build_filename (proxy_dir, EXITBOX_PROXY_HISTORY_FILE, NULL);
  g_autoptr(GPtrArray) history = exitbox_proxy_history_load (path);
  gint64 now = g_get_real_time ();

  for (guint i = 0; i < sessions->len; i++)
    {
      const ExitboxProxySession *session = g_ptr_array_index (sessions, i);
      gboolean open = FALSE;

      for (guint j = 0; j < history->len && !open; j++)
        {
          const ExitboxProxyHistoryEntry *entry = g_ptr_array_index (history, j);

          open = entry->end == 0 && g_str_equal (entry->name, session->name) &&
                 g_str_equal (entry->address, session->address);
        }

      if (!open)
        exitbox_proxy_history_start (history, session->name, session->address, now);
    }

  save_session_history (proxy_dir, history, path);
}

/* Records in the session history that the sessions @names ended now. */
static void
record_session_ends (const char          *proxy_dir,
                     const char * const  *names)
{
  g_autofree char *path = g_build_filename (proxy_dir, EXITBOX_PROXY_HISTORY_FILE, NULL);
  g_autoptr(GPtrArray) history = exitbox_proxy_history_load (path);
  gint64 now = g_get_real_time ();
  gboolean changed = FALSE;

  for (guint i = 0; names[i] != NULL; i++)
    changed |= exitbox_proxy_history_end (history, names[i], now);

  if (changed)
    save_session_history (proxy_dir, history, path);
}

/* Loads the session records and deletes those of sessions that ended: the
 * container is gone and the process that started it has exited. A record
 * whose container does not exist yet but whose process runs belongs to a
 * session that is about to start.
 */
static GPtrArray *
load_live_sessions (ExitboxFirewall  *self,
                    const char       *sessions_dir,
                    GCancellable     *cancellable,
                    GError          **error)
{
  g_autoptr(GPtrArray) sessions = exitbox_proxy_session_load_all (sessions_dir);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(ExitboxInspection) containers = NULL;
  g_autoptr(GPtrArray) ended_names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *proxy_dir = g_path_get_dirname (sessions_dir);
  guint kept = 0;

  if (sessions->len == 0)
    return g_steal_pointer (&sessions);

  for (guint i = 0; i < sessions->len; i++)
    g_ptr_array_add (names, ((ExitboxProxySession *) g_ptr_array_index (sessions, i))->name);
  g_ptr_array_add (names, NULL);

  containers = inspect (self, (const char * const *) names->pdata, cancellable, error);
  if (containers == NULL)
    return NULL;

  for (guint i = 0; i < sessions->len; i++)
    {
      ExitboxProxySession *session = g_ptr_array_index (sessions, i);
      g_autoptr(GError) local_error = NULL;

      if (exitbox_inspection_has_container (containers, session->name) ||
          process_exists (session->owner_pid))
        {
          sessions->pdata[i] = NULL;
          g_ptr_array_index (sessions, kept++) = session;
          continue;
        }

      g_debug ("Removing the record of the ended session %s (%s)", session->name, session->address);
      if (!exitbox_proxy_session_remove (sessions_dir, session->name, &local_error))
        g_warning ("%s", local_error->message);
      g_ptr_array_add (ended_names, g_strdup (session->name));
      exitbox_proxy_session_free (session);
      sessions->pdata[i] = NULL;
    }

  g_ptr_array_set_size (sessions, kept);

  if (ended_names->len > 0)
    {
      g_ptr_array_add (ended_names, NULL);
      record_session_ends (proxy_dir, (const char * const *) ended_names->pdata);
    }

  return g_steal_pointer (&sessions);
}

/* Reserves an address for a new session and saves its record. */
static ExitboxProxySession *
add_session (GPtrArray   *sessions,
             const char  *sessions_dir,
             const char  *name,
             GPtrArray   *entries,
             const char  *subnet,
             const char  *proxy_address,
             GError     **error)
{
  g_autoptr(GPtrArray) used = g_ptr_array_new ();
  g_autoptr(ExitboxProxySession) session = NULL;
  g_autofree char *address = NULL;

  for (guint i = 0; i < sessions->len; i++)
    g_ptr_array_add (used, ((ExitboxProxySession *) g_ptr_array_index (sessions, i))->address);
  if (proxy_address != NULL)
    g_ptr_array_add (used, (gpointer) proxy_address);
  g_ptr_array_add (used, NULL);

  address = exitbox_proxy_allocate_address (subnet, (const char * const *) used->pdata, error);
  if (address == NULL)
    return NULL;

  session = exitbox_proxy_session_new (name, address, entries);
  session->owner_pid = getpid ();

  if (!exitbox_proxy_session_save (session, sessions_dir, error))
    return NULL;

  g_ptr_array_add (sessions, session);

  return g_steal_pointer (&session);
}

/* The proxy's previous address, when it is in @subnet and no session in
 * @sessions holds it, else NULL. Running sessions have that address in
 * their proxy variables, so a proxy that is started again while they run
 * must take it again for them to keep working.
 */
static char *
dup_previous_proxy_address (const char *proxy_dir,
                            const char *subnet,
                            GPtrArray  *sessions)
{
  g_autofree char *path = g_build_filename (proxy_dir, PROXY_ADDRESS_NAME, NULL);
  g_autofree char *text = NULL;
  g_autoptr(GInetAddressMask) mask = NULL;
  g_autoptr(GInetAddress) address = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;

  g_strstrip (text);
  address = g_inet_address_new_from_string (text);
  mask = g_inet_address_mask_new_from_string (subnet, NULL);
  if (address == NULL || mask == NULL || !g_inet_address_mask_matches (mask, address))
    return NULL;

  for (guint i = 0; i < sessions->len; i++)
    {
      const ExitboxProxySession *session = g_ptr_array_index (sessions, i);

      if (g_str_equal (session->address, text))
        return NULL;
    }

  return g_steal_pointer (&text);
}

static gboolean
save_proxy_address (const char  *proxy_dir,
                    const char  *address,
                    GError     **error)
{
  g_autofree char *path = g_build_filename (proxy_dir, PROXY_ADDRESS_NAME, NULL);
  g_autofree char *text = g_strdup_printf ("%s\n", address);
  g_autofree char *current = NULL;

  if (g_file_get_contents (path, &current, NULL, NULL) && g_str_equal (current, text))
    return TRUE;

  return exitbox_write_file_atomically (path, text, -1, 0644, error);
}

/* Records the gateway that squid.conf blocks, for `exitbox firewall check`. */
static gboolean
save_host_gateways (const char  *proxy_dir,
                    const char  *egress_gateway,
                    GError     **error)
{
  g_autofree char *path = g_build_filename (proxy_dir, HOST_GATEWAYS_NAME, NULL);
  g_autofree char *text = g_strdup_printf ("%s\n", egress_gateway != NULL ? egress_gateway : "");
  g_autofree char *current = NULL;

  if (g_file_get_contents (path, &current, NULL, NULL) && g_str_equal (current, text))
    return TRUE;

  return exitbox_write_file_atomically (path, text, -1, 0644, error);
}

/* @egress_gateway is the host's address on the egress network, or NULL. */
static char *
generate_config (ExitboxAllowlist    *allowlist,
                 GPtrArray           *sessions,
                 const char          *subnet,
                 const char          *egress_gateway,
                 const char * const  *dns_servers,
                 const char * const  *dns_search)
{
  const char *gateways[] = { egress_gateway, NULL };

  return exitbox_squid_config_generate_full (exitbox_allowlist_get_entries (allowlist),
                                             sessions,
                                             subnet,
                                             gateways,
                                             dns_servers,
                                             dns_search,
                                             exitbox_allowlist_get_problem (allowlist));
}

/* Creates the networks that are missing and returns the internal subnet
 * and the egress gateway.
 */
static char *
prepare_networks (ExitboxFirewall  *self,
                  char            **out_egress_gateway,
                  GCancellable     *cancellable,
                  GError          **error)
{
  g_autoptr(ExitboxInspection) networks = NULL;
  const char *subnet;
  gboolean created_internal;
  gboolean created_egress;

  networks = inspect (self, network_names, cancellable, error);
  if (networks == NULL)
    return NULL;

  if (!ensure_network (self, networks, EXITBOX_NETWORK_EGRESS, FALSE, &created_egress,
                       cancellable, error) ||
      !ensure_network (self, networks, EXITBOX_NETWORK_INTERNAL, TRUE, &created_internal,
                       cancellable, error))
    return NULL;

  if (created_egress || created_internal)
    {
      g_clear_object (&networks);
      networks = inspect (self, network_names, cancellable, error);
      if (networks == NULL)
        return NULL;
    }

  subnet = exitbox_inspection_get_network_subnet (networks, EXITBOX_NETWORK_INTERNAL);
  if (subnet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("The network %s has no IPv4 subnet. Remove it with “%s network rm %s” "
                     "and launch again."),
                   EXITBOX_NETWORK_INTERNAL, exitbox_engine_get_name (self->engine),
                   EXITBOX_NETWORK_INTERNAL);
      return NULL;
    }

  *out_egress_gateway = g_strdup (exitbox_inspection_get_network_gateway (networks,
                                                                          EXITBOX_NETWORK_EGRESS));
  return g_strdup (subnet);
}

/* Starts the proxy and returns its address on the internal network. */
static char *
start_and_locate_proxy (ExitboxFirewall     *self,
                        const char          *proxy_dir,
                        const char * const  *dns_servers,
                        const char * const  *dns_search,
                        const char          *preferred_address,
                        GCancellable        *cancellable,
                        GError             **error)
{
  g_autoptr(ExitboxInspection) proxy = NULL;
  const char *address;

  if (!start_proxy (self, proxy_dir, dns_servers, dns_search, preferred_address,
                    cancellable, error))
    return NULL;

  proxy = inspect (self, inspect_names, cancellable, error);
  if (proxy == NULL)
    return NULL;

  address = exitbox_inspection_get_container_address (proxy, EXITBOX_PROXY_CONTAINER,
                                                      EXITBOX_NETWORK_INTERNAL);
  if (address == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("The proxy container %s has no address on %s. See “%s logs %s”."),
                   EXITBOX_PROXY_CONTAINER, EXITBOX_NETWORK_INTERNAL,
                   exitbox_engine_get_name (self->engine), EXITBOX_PROXY_CONTAINER);
      return NULL;
    }

  return g_strdup (address);
}

static EnsureResult *
ensure_locked (ExitboxFirewall    *self,
               EnsureData         *data,
               const char         *cache_dir,
               GCancellable       *cancellable,
               GError            **error)
{
  g_autofree char *proxy_dir = dup_proxy_dir (cache_dir);
  g_autofree char *sessions_dir = g_build_filename (proxy_dir, "sessions", NULL);
  g_auto(GStrv) dns_servers = exitbox_squid_dup_dns_servers ();
  g_auto(GStrv) dns_search = NULL;
  g_autofree char *dns_label = NULL;
  g_autoptr(EnsureResult) result = g_new0 (EnsureResult, 1);
  g_autoptr(GPtrArray) sessions = NULL;
  g_autofree char *subnet = NULL;
  g_autofree char *egress_gateway = NULL;
  g_autofree char *text = NULL;
  ExitboxProxySession *session = NULL;
  gboolean running;
  gboolean changed;

  dns_search = exitbox_squid_dup_dns_search (error);
  if (dns_search == NULL)
    return NULL;
  dns_label = dup_dns_label ((const char * const *) dns_servers, (const char * const *) dns_search);

  running = proxy_is_current (self, data->inspection, proxy_dir, dns_label);
  if (running)
    {
      subnet = g_strdup (exitbox_inspection_get_container_subnet (data->inspection,
                                                                  EXITBOX_PROXY_CONTAINER,
                                                                  EXITBOX_NETWORK_INTERNAL));
      if (subnet == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       _("The proxy container %s reports no IPv4 subnet on %s. Remove it with "
                         "“%s rm --force %s” and launch again."),
                       EXITBOX_PROXY_CONTAINER, EXITBOX_NETWORK_INTERNAL,
                       exitbox_engine_get_name (self->engine), EXITBOX_PROXY_CONTAINER);
          return NULL;
        }
      result->proxy_address =
        g_strdup (exitbox_inspection_get_container_address (data->inspection,
                                                            EXITBOX_PROXY_CONTAINER,
                                                            EXITBOX_NETWORK_INTERNAL));
      egress_gateway =
        g_strdup (exitbox_inspection_get_container_gateway (data->inspection,
                                                            EXITBOX_PROXY_CONTAINER,
                                                            EXITBOX_NETWORK_EGRESS));
    }
  else
    {
      subnet = prepare_networks (self, &egress_gateway, cancellable, error);
      if (subnet == NULL)
        return NULL;
    }

  if (!ensure_proxy_dir (proxy_dir, error))
    return NULL;

  sessions = load_live_sessions (self, sessions_dir, cancellable, error);
  if (sessions == NULL)
    return NULL;

  /* A stopped proxy is started with the rules of the running sessions
   * first, because the engine picks its address only then, and the new
   * session's address must differ from it.
   * NOTE: a session that is about to start (record saved, container not
   * yet run) has an address the engine does not know about, so a proxy
   * started in that moment may take it and that session's run fails.
   */
  if (!running)
    {
      g_autofree char *previous_address = dup_previous_proxy_address (proxy_dir, subnet, sessions);

      text = generate_config (data->allowlist, sessions, subnet, egress_gateway,
                              (const char * const *) dns_servers,
                              (const char * const *) dns_search);
      if (!write_proxy_config (self, proxy_dir, text, FALSE, &changed, cancellable, error))
        return NULL;

      result->proxy_address = start_and_locate_proxy (self, proxy_dir,
                                                      (const char * const *) dns_servers,
                                                      (const char * const *) dns_search,
                                                      previous_address,
                                                      cancellable, error);
      if (result->proxy_address == NULL)
        return NULL;

      g_clear_pointer (&text, g_free);
    }

  if (data->session_name != NULL)
    {
      session = add_session (sessions, sessions_dir, data->session_name, data->session_entries,
                             subnet, result->proxy_address, error);
      if (session == NULL)
        return NULL;
      result->session_address = g_strdup (session->address);
      record_session_starts (proxy_dir, sessions);
    }

  text = generate_config (data->allowlist, sessions, subnet, egress_gateway,
                          (const char * const *) dns_servers,
                          (const char * const *) dns_search);

  if (!write_proxy_config (self, proxy_dir, text, TRUE, &changed, cancellable, error) ||
      !save_host_gateways (proxy_dir, egress_gateway, error) ||
      (result->proxy_address != NULL && !save_proxy_address (proxy_dir, result->proxy_address, error)) ||
      (changed && !reload_proxy (self, cancellable, error)) ||
      (running && !rotate_large_log (self, proxy_dir, cancellable, error)))
    goto failed;

  return g_steal_pointer (&result);

failed:
  if (session != NULL)
    {
      const char *names[] = { session->name, NULL };

      exitbox_proxy_session_remove (sessions_dir, session->name, NULL);
      record_session_ends (proxy_dir, names);
    }
  return NULL;
}

/* Runs @func with the proxy lock held. */
static gpointer
run_locked (ExitboxFirewall  *self,
            gpointer        (*func) (ExitboxFirewall *self,
                                     gpointer         data,
                                     const char      *cache_dir,
                                     GCancellable    *cancellable,
                                     GError         **error),
            gpointer          data,
            GCancellable     *cancellable,
            GError          **error)
{
  g_autofree char *cache_dir = exitbox_dup_cache_dir ();
  gpointer result;
  int lock_fd;

  if (!make_folder (cache_dir, 0700, error))
    return NULL;

  lock_fd = lock_proxy_state (cache_dir, error);
  if (lock_fd < 0)
    return NULL;

  result = func (self, data, cache_dir, cancellable, error);
  close (lock_fd);

  return result;
}

static gpointer
ensure_locked_func (ExitboxFirewall  *self,
                    gpointer          data,
                    const char       *cache_dir,
                    GCancellable     *cancellable,
                    GError          **error)
{
  return ensure_locked (self, data, cache_dir, cancellable, error);
}

static void
ensure_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ExitboxFirewall *self = source_object;
  EnsureResult *result;
  GError *error = NULL;

  result = run_locked (self, ensure_locked_func, task_data, cancellable, &error);
  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) ensure_result_free);
}

static void
start_ensure (ExitboxFirewall     *self,
              ExitboxInspection   *inspection,
              ExitboxAllowlist    *allowlist,
              const char          *session_name,
              GPtrArray           *session_entries,
              gpointer             source_tag,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  EnsureData *data;

  data = g_new0 (EnsureData, 1);
  data->inspection = g_object_ref (inspection);
  data->allowlist = g_object_ref (allowlist);
  data->session_name = g_strdup (session_name);
  data->session_entries = g_ptr_array_new_with_free_func ((GDestroyNotify) exitbox_allowlist_entry_free);
  for (guint i = 0; session_entries != NULL && i < session_entries->len; i++)
    g_ptr_array_add (data->session_entries,
                     exitbox_allowlist_entry_copy (g_ptr_array_index (session_entries, i)));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, data, (GDestroyNotify) ensure_data_free);
  g_task_run_in_thread (task, ensure_thread);
}

void
exitbox_firewall_ensure_async (ExitboxFirewall     *self,
                               ExitboxInspection   *inspection,
                               ExitboxAllowlist    *allowlist,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (EXITBOX_IS_FIREWALL (self));
  g_return_if_fail (EXITBOX_IS_INSPECTION (inspection));
  g_return_if_fail (EXITBOX_IS_ALLOWLIST (allowlist));

  start_ensure (self, inspection, allowlist, NULL, NULL, exitbox_firewall_ensure_async,
                cancellable, callback, user_data);
}

char *
exitbox_firewall_ensure_finish (ExitboxFirewall  *self,
                                GAsyncResult     *result,
                                GError          **error)
{
  g_autoptr(EnsureResult) ensured = NULL;

  g_return_val_if_fail (EXITBOX_IS_FIREWALL (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  ensured = g_task_propagate_pointer (G_TASK (result), error);
  if (ensured == NULL)
    return NULL;

  return g_steal_pointer (&ensured->proxy_address);
}

void
exitbox_firewall_ensure_session_async (ExitboxFirewall     *self,
                                       ExitboxInspection   *inspection,
                                       ExitboxAllowlist    *allowlist,
                                       const char          *session_name,
                                       GPtrArray           *session_entries,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_return_if_fail (EXITBOX_IS_FIREWALL (self));
  g_return_if_fail (EXITBOX_IS_INSPECTION (inspection));
  g_return_if_fail (EXITBOX_IS_ALLOWLIST (allowlist));
  g_return_if_fail (session_name != NULL);

  start_ensure (self, inspection, allowlist, session_name, session_entries,
                exitbox_firewall_ensure_session_async, cancellable, callback, user_data);
}

char *
exitbox_firewall_ensure_session_finish (ExitboxFirewall  *self,
                                        GAsyncResult     *result,
                                        char            **out_session_address,
                                        GError          **error)
{
  g_autoptr(EnsureResult) ensured = NULL;

  g_return_val_if_fail (EXITBOX_IS_FIREWALL (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (out_session_address != NULL, NULL);

  ensured = g_task_propagate_pointer (G_TASK (result), error);
  if (ensured == NULL)
    return NULL;

  *out_session_address = g_steal_pointer (&ensured->session_address);
  return g_steal_pointer (&ensured->proxy_address);
}

/* Marks now as the time the last session ended. */
static gboolean
touch_idle_stamp (const char  *proxy_dir,
                  GError     **error)
{
  g_autofree char *path = g_build_filename (proxy_dir, IDLE_STAMP_NAME, NULL);
  g_autofree char *now = g_strdup_printf ("%" G_GINT64_FORMAT "\n", g_get_real_time () / G_USEC_PER_SEC);

  return exitbox_write_file_atomically (path, now, -1, 0644, error);
}

/* Whether the record of the session @name holds -a entries. */
static gboolean
session_has_entries (const char *sessions_dir,
                     const char *name)
{
  g_autoptr(GPtrArray) sessions = exitbox_proxy_session_load_all (sessions_dir);

  for (guint i = 0; i < sessions->len; i++)
    {
      ExitboxProxySession *session = g_ptr_array_index (sessions, i);

      if (g_str_equal (session->name, name))
        return session->entries != NULL && session->entries->len > 0;
    }

  return FALSE;
}

static goffset
get_file_size (const char *path)
{
  GStatBuf info;

  return g_stat (path, &info) == 0 ? (goffset) info.st_size : 0;
}

/* `squid -k reconfigure` returns before Squid listens again: Squid 5 closes
 * its listening sockets while it reads the new configuration, and a
 * connection in that moment is refused. An agent whose entry was just
 * allowed connects at once, so this waits, for at most 5 s, until cache.log
 * shows Squid accepting HTTP connections again after @offset.
 */
static void
wait_for_proxy_listening (const char *cache_log,
                          goffset     offset)
{
  for (guint i = 0; i < PROXY_READY_CHECKS; i++)
    {
      g_autofree char *text = NULL;
      gsize length;

      if (g_file_get_contents (cache_log, &text, &length, NULL))
        {
          /* A rotated log starts again from its beginning. */
          if ((goffset) length < offset)
            offset = 0;
          if (strstr (text + offset, "Accepting HTTP") != NULL)
            return;
        }

      g_usleep (PROXY_READY_INTERVAL_US);
    }

  g_debug ("%s does not show the reloaded proxy listening yet", cache_log);
}

/* Whether @proxy runs the current image and configuration on the internal
 * network, so that new rules can reach it by a reload.
 */
static gboolean
proxy_accepts_rules (ExitboxFirewall   *self,
                     ExitboxInspection *proxy,
                     const char        *proxy_dir)
{
  return proxy_is_current (self, proxy, proxy_dir, NULL)
         && exitbox_inspection_get_container_subnet (proxy, EXITBOX_PROXY_CONTAINER,
                                                     EXITBOX_NETWORK_INTERNAL) != NULL;
}

/* Writes squid.conf for the allowlist on disk and @sessions, and reloads the
 * running @proxy when the text changed. With @wait_until_listening it returns
 * only once the proxy's log shows it listening again, so the new rule is in
 * force when the caller replies to a client.
 */
static gboolean
reload_with_rules (ExitboxFirewall    *self,
                   ExitboxInspection  *proxy,
                   const char         *proxy_dir,
                   GPtrArray          *sessions,
                   gboolean            wait_until_listening,
                   GCancellable       *cancellable,
                   GError            **error)
{
  g_autofree char *config_dir = exitbox_dup_config_dir ();
  g_autofree char *allowlist_path = g_build_filename (config_dir, "allowlist.yaml", NULL);
  g_autofree char *log_dir = dup_log_dir (proxy_dir);
  g_autofree char *cache_log = g_build_filename (log_dir, "cache.log", NULL);
  g_auto(GStrv) dns_servers = exitbox_squid_dup_dns_servers ();
  g_auto(GStrv) dns_search = NULL;
  g_autoptr(ExitboxAllowlist) allowlist = NULL;
  g_autofree char *text = NULL;
  const char *egress_gateway;
  const char *subnet;
  gboolean changed;
  goffset log_offset;

  dns_search = exitbox_squid_dup_dns_search (error);
  if (dns_search == NULL)
    return FALSE;

  allowlist = exitbox_allowlist_load_file (allowlist_path);
  subnet = exitbox_inspection_get_container_subnet (proxy, EXITBOX_PROXY_CONTAINER,
                                                    EXITBOX_NETWORK_INTERNAL);
  egress_gateway = exitbox_inspection_get_container_gateway (proxy, EXITBOX_PROXY_CONTAINER,
                                                            EXITBOX_NETWORK_EGRESS);
  text = generate_config (allowlist, sessions, subnet, egress_gateway,
                          (const char * const *) dns_servers,
                          (const char * const *) dns_search);

  log_offset = get_file_size (cache_log);
  if (!save_host_gateways (proxy_dir, egress_gateway, error) ||
      !write_proxy_config (self, proxy_dir, text, TRUE, &changed, cancellable, error) ||
      (changed && !reload_proxy (self, cancellable, error)))
    return FALSE;

  if (changed && wait_until_listening)
    wait_for_proxy_listening (cache_log, log_offset);

  return TRUE;
}

/* Removes the record of @data (a session name), drops the records of other
 * ended sessions and reloads a running proxy without their rules. The
 * allowlist is read from disk, because the file may have changed since
 * the session started.
 */
static gpointer
end_session_locked (ExitboxFirewall  *self,
                    gpointer          data,
                    const char       *cache_dir,
                    GCancellable     *cancellable,
                    GError          **error)
{
  const char *session_name = data;
  g_autofree char *proxy_dir = dup_proxy_dir (cache_dir);
  g_autofree char *sessions_dir = g_build_filename (proxy_dir, "sessions", NULL);
  const char *proxy_names[] = { EXITBOX_PROXY_CONTAINER, EXITBOX_IMAGE_PROXY, NULL };
  g_autoptr(ExitboxInspection) proxy = NULL;
  g_autoptr(GPtrArray) sessions = NULL;
  gboolean had_entries;

  had_entries = session_has_entries (sessions_dir, session_name);

  if (!exitbox_proxy_session_remove (sessions_dir, session_name, error))
    return NULL;

  {
    const char *names[] = { session_name, NULL };

    record_session_ends (proxy_dir, names);
  }

  /* The last session without entries of its own changed no rule, so the
   * proxy needs no look and no reload, which keeps a warm launch to two
   * engine calls.
   */
  if (!had_entries)
    {
      g_autoptr(GPtrArray) remaining = exitbox_proxy_session_load_all (sessions_dir);

      if (remaining->len == 0)
        return touch_idle_stamp (proxy_dir, error) ? GINT_TO_POINTER (TRUE) : NULL;
    }

  sessions = load_live_sessions (self, sessions_dir, cancellable, error);
  if (sessions == NULL)
    return NULL;

  if (sessions->len == 0 && !touch_idle_stamp (proxy_dir, error))
    return NULL;

  proxy = inspect (self, proxy_names, cancellable, error);
  if (proxy == NULL)
    return NULL;

  /* A proxy that is not running gets the current rules when it starts. */
  if (!proxy_accepts_rules (self, proxy, proxy_dir))
    return GINT_TO_POINTER (TRUE);

  if (!reload_with_rules (self, proxy, proxy_dir, sessions, FALSE, cancellable, error))
    return NULL;

  return GINT_TO_POINTER (TRUE);
}

static void
end_session_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  GError *error = NULL;

  if (run_locked (source_object, end_session_locked, task_data, cancellable, &error) == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
exitbox_firewall_end_session_async (ExitboxFirewall     *self,
                                    const char          *session_name,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EXITBOX_IS_FIREWALL (self));
  g_return_if_fail (session_name != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, exitbox_firewall_end_session_async);
  g_task_set_task_data (task, g_strdup (session_name), g_free);
  g_task_run_in_thread (task, end_session_thread);
}

gboolean
exitbox_firewall_end_session_finish (ExitboxFirewall  *self,
                                     GAsyncResult     *result,
                                     GError          **error)
{
  g_return_val_if_fail (EXITBOX_IS_FIREWALL (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

char *
exitbox_firewall_dup_log_path (void)
{
  g_autofree char *cache_dir = exitbox_dup_cache_dir ();
  g_autofree char *proxy_dir = dup_proxy_dir (cache_dir);
  g_autofree char *log_dir = dup_log_dir (proxy_dir);

  return g_build_filename (log_dir, "access.log", NULL);
}

/* Whether a desktop app holds its shared lock on the proxy. */
static gboolean
desktop_app_holds_proxy (const char *proxy_dir)
{
  g_autofree char *path = g_build_filename (proxy_dir, DESKTOP_LOCK_NAME, NULL);
  gboolean held;
  int fd;

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    return FALSE;

  held = flock (fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  close (fd);

  return held;
}

typedef struct
{
  guint    idle_minutes;
  gboolean stopped;
} StopIdleData;

static gpointer
stop_if_idle_locked (ExitboxFirewall  *self,
                     gpointer          user_data,
                     const char       *cache_dir,
                     GCancellable     *cancellable,
                     GError          **error)
{
  StopIdleData *data = user_data;
  g_autofree char *proxy_dir = dup_proxy_dir (cache_dir);
  g_autofree char *sessions_dir = g_build_filename (proxy_dir, "sessions", NULL);
  g_autofree char *stamp_path = g_build_filename (proxy_dir, IDLE_STAMP_NAME, NULL);
  const char *proxy_names[] = { EXITBOX_PROXY_CONTAINER, EXITBOX_IMAGE_PROXY, NULL };
  const char *stop_args[] = { "stop", "--time", "1", EXITBOX_PROXY_CONTAINER, NULL };
  g_autoptr(ExitboxInspection) proxy = NULL;
  g_autoptr(GPtrArray) sessions = NULL;
  GStatBuf stamp;

  /* Without a stamp no session has ended since the last start, or the
   * folder is gone; both leave the proxy alone without an engine call.
   */
  if (g_stat (stamp_path, &stamp) != 0)
    return GINT_TO_POINTER (TRUE);

  if (g_get_real_time () / G_USEC_PER_SEC - stamp.st_mtime < (gint64) data->idle_minutes * 60)
    return GINT_TO_POINTER (TRUE);

  if (desktop_app_holds_proxy (proxy_dir))
    return GINT_TO_POINTER (TRUE);

  sessions = load_live_sessions (self, sessions_dir, cancellable, error);
  if (sessions == NULL)
    return NULL;
  if (sessions->len > 0)
    return GINT_TO_POINTER (TRUE);

  /* Only the proxy that reads this folder's squid.conf is ours to stop. */
  proxy = inspect (self, proxy_names, cancellable, error);
  if (proxy == NULL)
    return NULL;
  if (!proxy_is_current (self, proxy, proxy_dir, NULL))
    return GINT_TO_POINTER (TRUE);

  if (!run_engine (self, stop_args, NULL, cancellable, error))
    return NULL;

  g_debug ("Stopped the idle proxy %s", EXITBOX_PROXY_CONTAINER);
  data->stopped = TRUE;
  return GINT_TO_POINTER (TRUE);
}

gboolean
exitbox_firewall_stop_if_idle (ExitboxFirewall  *self,
                               guint             idle_minutes,
                               gboolean         *out_stopped,
                               GCancellable     *cancellable,
                               GError          **error)
{
  StopIdleData data = { idle_minutes, FALSE };

  g_return_val_if_fail (EXITBOX_IS_FIREWALL (self), FALSE);

  if (run_locked (self, stop_if_idle_locked, &data, cancellable, error) == NULL)
    return FALSE;

  if (out_stopped != NULL)
    *out_stopped = data.stopped;
  return TRUE;
}

gint64
exitbox_firewall_get_idle_since (void)
{
  g_autofree char *cache_dir = exitbox_dup_cache_dir ();
  g_autofree char *proxy_dir = dup_proxy_dir (cache_dir);
  g_autofree char *stamp_path = g_build_filename (proxy_dir, IDLE_STAMP_NAME, NULL);
  GStatBuf stamp;

  if (g_stat (stamp_path, &stamp) != 0)
    return -1;

  return (gint64) stamp.st_mtime;
}

int
exitbox_firewall_hold_proxy (GError **error)
{
  g_autofree char *cache_dir = exitbox_dup_cache_dir ();
  g_autofree char *proxy_dir = dup_proxy_dir (cache_dir);
  g_autofree char *path = g_build_filename (proxy_dir, DESKTOP_LOCK_NAME, NULL);
  int fd;

  if (!make_folder (proxy_dir, 0755, error))
    return -1;

  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0 || flock (fd, LOCK_SH) != 0)
    {
      int saved_errno = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Failed to lock %s: %s"), path, g_strerror (saved_errno));
      return -1;
    }

  return fd;
}

char **
exitbox_firewall_dup_host_gateways (void)
{
  g_autofree char *cache_dir = exitbox_dup_cache_dir ();
  g_autofree char *proxy_dir = dup_proxy_dir (cache_dir);
  g_autofree char *path = g_build_filename (proxy_dir, HOST_GATEWAYS_NAME, NULL);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return g_strv_builder_end (builder);

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_hostname_is_ip_address (lines[i]))
        g_strv_builder_add (builder, lines[i]);
    }

  return g_strv_builder_end (builder);
}


/* Runtime rule changes: an entry added to one running session, and a hot
 * reload after allowlist.yaml changed. Both regenerate squid.conf from the
 * file on disk and the session records, under the proxy lock.
 */

typedef struct
{
  char                  *session_name;  /* NULL: only reload */
  ExitboxAllowlistEntry *entry;
} UpdateRulesData;

static void
update_rules_data_free (UpdateRulesData *data)
{
  g_free (data->session_name);
  g_clear_pointer (&data->entry, exitbox_allowlist_entry_free);
  g_free (data);
}

/* Appends @entry to the record of @session_name unless the record already
 * lists it.
 */
static gboolean
add_entry_to_record (const char                  *sessions_dir,
                     const char                  *session_name,
                     const ExitboxAllowlistEntry *entry,
                     GError                     **error)
{
  g_autoptr(GPtrArray) sessions = exitbox_proxy_session_load_all (sessions_dir);
  g_autofree char *requested = exitbox_allowlist_entry_to_string (entry);

  for (guint i = 0; i < sessions->len; i++)
    {
      ExitboxProxySession *session = g_ptr_array_index (sessions, i);

      if (!g_str_equal (session->name, session_name))
        continue;

      for (guint j = 0; j < session->entries->len; j++)
        {
          g_autofree char *listed =
            exitbox_allowlist_entry_to_string (g_ptr_array_index (session->entries, j));

          if (g_str_equal (listed, requested))
            return TRUE;
        }

      g_ptr_array_add (session->entries, exitbox_allowlist_entry_copy (entry));
      return exitbox_proxy_session_save (session, sessions_dir, error);
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
               _("The session %s has no firewall record, so %s cannot be allowed for it. "
                 "The session has ended or runs without the firewall."),
               session_name, requested);
  return FALSE;
}

static gpointer
update_rules_locked (ExitboxFirewall  *self,
                     gpointer          user_data,
                     const char       *cache_dir,
                     GCancellable     *cancellable,
                     GError          **error)
{
  UpdateRulesData *data = user_data;
  g_autofree char *proxy_dir = dup_proxy_dir (cache_dir);
  g_autofree char *sessions_dir = g_build_filename (proxy_dir, "sessions", NULL);
  const char *proxy_names[] = { EXITBOX_PROXY_CONTAINER, EXITBOX_IMAGE_PROXY, NULL };
  g_autoptr(ExitboxInspection) proxy = NULL;
  g_autoptr(GPtrArray) sessions = NULL;

  if (data->session_name != NULL &&
      !add_entry_to_record (sessions_dir, data->session_name, data->entry, error))
    return NULL;

  proxy = inspect (self, proxy_names, cancellable, error);
  if (proxy == NULL)
    return NULL;

  /* A proxy that is not running reads the records when it starts. */
  if (!proxy_accepts_rules (self, proxy, proxy_dir))
    return GINT_TO_POINTER (TRUE);

  sessions = load_live_sessions (self, sessions_dir, cancellable, error);
  if (sessions == NULL)
    return NULL;

  if (!reload_with_rules (self, proxy, proxy_dir, sessions, TRUE, cancellable, error))
    return NULL;

  return GINT_TO_POINTER (TRUE);
}

static void
update_rules_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  GError *error = NULL;

  if (run_locked (source_object, update_rules_locked, task_data, cancellable, &error) == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
start_update_rules (ExitboxFirewall             *self,
                    const char                  *session_name,
                    const ExitboxAllowlistEntry *entry,
                    gpointer                     source_tag,
                    GCancellable                *cancellable,
                    GAsyncReadyCallback          callback,
                    gpointer                     user_data)
{
  g_autoptr(GTask) task = NULL;
  UpdateRulesData *data = g_new0 (UpdateRulesData, 1);

  data->session_name = g_strdup (session_name);
  data->entry = entry != NULL ? exitbox_allowlist_entry_copy (entry) : NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, data, (GDestroyNotify) update_rules_data_free);
  g_task_run_in_thread (task, update_rules_thread);
}

void
exitbox_firewall_add_session_entry_async (ExitboxFirewall             *self,
                                          const char                  *session_name,
                                          const ExitboxAllowlistEntry *entry,
                                          GCancellable                *cancellable,
                                          GAsyncReadyCallback          callback,
                                          gpointer                     user_data)
{
  g_return_if_fail (EXITBOX_IS_FIREWALL (self));
  g_return_if_fail (session_name != NULL);
  g_return_if_fail (entry != NULL);

  start_update_rules (self, session_name, entry, exitbox_firewall_add_session_entry_async,
                      cancellable, callback, user_data);
}

gboolean
exitbox_firewall_add_session_entry_finish (ExitboxFirewall  *self,
                                           GAsyncResult     *result,
                                           GError          **error)
{
  g_return_val_if_fail (EXITBOX_IS_FIREWALL (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
exitbox_firewall_reload_rules_async (ExitboxFirewall     *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (EXITBOX_IS_FIREWALL (self));

  start_update_rules (self, NULL, NULL, exitbox_firewall_reload_rules_async,
                      cancellable, callback, user_data);
}

gboolean
exitbox_firewall_reload_rules (ExitboxFirewall  *self,
                               GCancellable     *cancellable,
                               GError          **error)
{
  UpdateRulesData data = { 0 };

  g_return_val_if_fail (EXITBOX_IS_FIREWALL (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return run_locked (self, update_rules_locked, &data, cancellable, error) != NULL;
}

gboolean
exitbox_firewall_reload_rules_finish (ExitboxFirewall  *self,
                                      GAsyncResult     *result,
                                      GError          **error)
{
  g_return_val_if_fail (EXITBOX_IS_FIREWALL (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
