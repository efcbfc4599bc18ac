/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "exitbox-firewall.h"
#include "exitbox-launch-plan.h"
#include "exitbox-paths.h"
#include "exitbox-squid-config.h"

/* The host folder a proxy container reads squid.conf from. A proxy started
 * by a run with other ExitBox folders is not ours to reload.
 */
#define LABEL_PROXY_CONFIG "exitbox.proxy.config"

/* How long a freshly started proxy may take to write its pid file:
 * 50 checks, 100 ms apart.
 */
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
} EnsureData;

static void
ensure_data_free (EnsureData *data)
{
  g_clear_object (&data->inspection);
  g_clear_object (&data->allowlist);
  g_free (data);
}

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

/* Writes squid.conf when its text changed. Returns whether it did. */
static gboolean
write_proxy_config (const char          *proxy_dir,
                    ExitboxAllowlist    *allowlist,
                    const char          *subnet,
                    const char * const  *dns_servers,
                    gboolean            *out_changed,
                    GError             **error)
{
  g_autofree char *path = g_build_filename (proxy_dir, "squid.conf", NULL);
  g_autofree char *current = NULL;
  g_autofree char *text = NULL;

  text = exitbox_squid_config_generate (exitbox_allowlist_get_entries (allowlist),
                                        subnet,
                                        dns_servers,
                                        exitbox_allowlist_get_problem (allowlist));

  if (g_file_get_contents (path, &current, NULL, NULL) && g_str_equal (current, text))
    {
      *out_changed = FALSE;
      return TRUE;
    }

  /* The proxy's unprivileged user reads this through a bind mount, also
   * under rootless podman where it runs as a sub-uid, and it contains no
   * secrets.
   */
  if (!exitbox_write_file_atomically (path, text, -1, 0644, error))
    return FALSE;

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

static gboolean
start_proxy (ExitboxFirewall     *self,
             const char          *proxy_dir,
             const char * const  *dns_servers,
             GCancellable        *cancellable,
             GError             **error)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *mount = NULL;
  const char *remove_args[] = { "rm", "--force", EXITBOX_PROXY_CONTAINER, NULL };
  const char *connect_args[] = {
    "network", "connect", EXITBOX_NETWORK_INTERNAL, EXITBOX_PROXY_CONTAINER, NULL
  };
  g_autoptr(ExitboxEngineResult) removed = NULL;

  /* A stopped proxy keeps its name, so remove it before starting a new one. */
  removed = exitbox_engine_run (self->engine, remove_args, cancellable, error);
  if (removed == NULL)
    return FALSE;

  mount = g_strdup_printf ("type=bind,\"source=%s\",destination=%s,readonly",
                           proxy_dir, EXITBOX_PROXY_CONFIG_DIR);

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
  g_ptr_array_add (args, g_strdup ("--security-opt=no-new-privileges"));
  g_ptr_array_add (args, g_strdup ("--label"));
  g_ptr_array_add (args, g_strdup_printf ("%s=%s", LABEL_PROXY_CONFIG, proxy_dir));
  g_ptr_array_add (args, g_strdup ("--mount"));
  g_ptr_array_add (args, g_steal_pointer (&mount));
  g_ptr_array_add (args, g_strdup (EXITBOX_IMAGE_PROXY));
  g_ptr_array_add (args, NULL);

  if (!run_engine (self, (const char * const *) args->pdata, NULL, cancellable, error))
    return FALSE;

  if (!run_engine (self, connect_args, NULL, cancellable, error))
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
                  const char        *proxy_dir)
{
  const char *container_image;
  const char *current_image;

  if (exitbox_firewall_get_state (self, inspection) != EXITBOX_FIREWALL_STATE_RUNNING)
    return FALSE;

  if (g_strcmp0 (exitbox_inspection_get_container_label (inspection, EXITBOX_PROXY_CONTAINER,
                                                         LABEL_PROXY_CONFIG),
                 proxy_dir) != 0)
    return FALSE;

  /* A proxy left over from an older proxy image is replaced. */
  container_image = exitbox_inspection_get_container_image_id (inspection, EXITBOX_PROXY_CONTAINER);
  current_image = exitbox_inspection_get_image_id (inspection, EXITBOX_IMAGE_PROXY);

  return container_image == NULL || current_image == NULL ||
         g_str_equal (container_image, current_image);
}

static gboolean
ensure_proxy_dir (const char  *proxy_dir,
                  GError     **error)
{
  if (g_mkdir_with_parents (proxy_dir, 0755) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Failed to create %s: %s"), proxy_dir, g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

/* The warm path: the proxy runs, so only its configuration may need a reload. */
static char *
refresh_running_proxy (ExitboxFirewall     *self,
                       ExitboxInspection   *inspection,
                       ExitboxAllowlist    *allowlist,
                       const char          *proxy_dir,
                       const char * const  *dns_servers,
                       GCancellable        *cancellable,
                       GError             **error)
{
  const char *subnet;
  gboolean changed;

  subnet = exitbox_inspection_get_container_subnet (inspection, EXITBOX_PROXY_CONTAINER,
                                                    EXITBOX_NETWORK_INTERNAL);
  if (subnet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("The proxy container %s reports no IPv4 subnet on %s. Remove it with "
                     "“%s rm --force %s” and launch again."),
                   EXITBOX_PROXY_CONTAINER, EXITBOX_NETWORK_INTERNAL,
                   exitbox_engine_get_name (self->engine), EXITBOX_PROXY_CONTAINER);
      return NULL;
    }

  if (!ensure_proxy_dir (proxy_dir, error) ||
      !write_proxy_config (proxy_dir, allowlist, subnet, dns_servers, &changed, error))
    return NULL;

  if (changed && !reload_proxy (self, cancellable, error))
    return NULL;

  return g_strdup (exitbox_inspection_get_container_address (inspection, EXITBOX_PROXY_CONTAINER,
                                                             EXITBOX_NETWORK_INTERNAL));
}

/* The cold path: create what is missing and start the proxy. */
static char *
start_firewall (ExitboxFirewall     *self,
                ExitboxAllowlist    *allowlist,
                const char          *proxy_dir,
                const char * const  *dns_servers,
                GCancellable        *cancellable,
                GError             **error)
{
  g_autoptr(ExitboxInspection) networks = NULL;
  g_autoptr(ExitboxInspection) proxy = NULL;
  const char *subnet;
  const char *address;
  gboolean created_internal;
  gboolean created_egress;
  gboolean changed;

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

  if (!ensure_proxy_dir (proxy_dir, error) ||
      !write_proxy_config (proxy_dir, allowlist, subnet, dns_servers, &changed, error) ||
      !start_proxy (self, proxy_dir, dns_servers, cancellable, error))
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

static char *
ensure_locked (ExitboxFirewall    *self,
               EnsureData         *data,
               const char         *cache_dir,
               GCancellable       *cancellable,
               GError            **error)
{
  g_autofree char *proxy_dir = g_build_filename (cache_dir, "proxy", NULL);
  g_auto(GStrv) dns_servers = exitbox_squid_dup_dns_servers ();

  if (proxy_is_current (self, data->inspection, proxy_dir))
    return refresh_running_proxy (self, data->inspection, data->allowlist, proxy_dir,
                                  (const char * const *) dns_servers, cancellable, error);

  return start_firewall (self, data->allowlist, proxy_dir, (const char * const *) dns_servers,
                         cancellable, error);
}

static void
ensure_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ExitboxFirewall *self = source_object;
  EnsureData *data = task_data;
  g_autofree char *cache_dir = exitbox_dup_cache_dir ();
  g_autofree char *address = NULL;
  GError *error = NULL;
  int lock_fd;

  if (g_mkdir_with_parents (cache_dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               _("Failed to create %s: %s"), cache_dir, g_strerror (saved_errno));
      return;
    }

  lock_fd = lock_proxy_state (cache_dir, &error);
  if (lock_fd < 0)
    {
      g_task_return_error (task, error);
      return;
    }

  address = ensure_locked (self, data, cache_dir, cancellable, &error);
  close (lock_fd);

  if (address == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&address), g_free);
}

void
exitbox_firewall_ensure_async (ExitboxFirewall     *self,
                               ExitboxInspection   *inspection,
                               ExitboxAllowlist    *allowlist,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  EnsureData *data;

  g_return_if_fail (EXITBOX_IS_FIREWALL (self));
  g_return_if_fail (EXITBOX_IS_INSPECTION (inspection));
  g_return_if_fail (EXITBOX_IS_ALLOWLIST (allowlist));

  data = g_new0 (EnsureData, 1);
  data->inspection = g_object_ref (inspection);
  data->allowlist = g_object_ref (allowlist);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, exitbox_firewall_ensure_async);
  g_task_set_task_data (task, data, (GDestroyNotify) ensure_data_free);
  g_task_run_in_thread (task, ensure_thread);
}

char *
exitbox_firewall_ensure_finish (ExitboxFirewall  *self,
                                GAsyncResult     *result,
                                GError          **error)
{
  g_return_val_if_fail (EXITBOX_IS_FIREWALL (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
