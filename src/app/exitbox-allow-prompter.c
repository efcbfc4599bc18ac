/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#define G_LOG_DOMAIN "exitbox-allow-prompter"

#include <glib/gi18n.h>

#include "exitbox-allow-prompter.h"
#include "exitbox-application.h"

#define ANSWER_ACTION "answer-allow-request"

struct _ExitboxAllowPrompter
{
  GObject               parent_instance;

  GtkApplication       *application;  /* weak */
  ExitboxAllowRequests *requests;
  GHashTable           *dialogs;      /* request id → AdwMessageDialog */
};

G_DEFINE_FINAL_TYPE (ExitboxAllowPrompter, exitbox_allow_prompter, G_TYPE_OBJECT)

static char *
dup_notification_id (const char *request_id)
{
  return g_strconcat ("allow-request-", request_id, NULL);
}

static void
exitbox_allow_prompter_answer (ExitboxAllowPrompter *self,
                               const char           *id,
                               ExitboxAllowAnswer    answer)
{
  g_autoptr(GError) error = NULL;

  if (!exitbox_allow_requests_answer (self->requests, id, answer, &error))
    g_message ("Failed to answer the allow request %s: %s", id, error->message);
}

static void
exitbox_allow_prompter_dialog_response_cb (AdwMessageDialog     *dialog,
                                           const char           *response,
                                           ExitboxAllowPrompter *self)
{
  const char *id = g_object_get_data (G_OBJECT (dialog), "exitbox-request-id");
  ExitboxAllowAnswer answer;

  /* Closing the dialog any other way denies, like the Deny button. */
  if (!exitbox_allow_answer_from_string (response, &answer))
    answer = EXITBOX_ALLOW_ANSWER_DENY;

  exitbox_allow_prompter_answer (self, id, answer);
  g_hash_table_remove (self->dialogs, id);
}

static char *
dup_request_body (const ExitboxAllowRequest *request)
{
  const ExitboxAgentInfo *agent = request->agent != NULL ? exitbox_agent_lookup (request->agent)
                                                         : NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  gint64 left = MAX (0, request->deadline - g_get_real_time () / G_USEC_PER_SEC);

  g_string_append_printf (body, _("A session asks for access to %s."), request->entry);
  g_string_append (body, "\n\n");
  /* TRANSLATORS: the rule that an approval adds to the firewall */
  g_string_append_printf (body, _("Rule: %s"), request->rule);
  g_string_append_c (body, '\n');
  g_string_append_printf (body, _("Session: %s"), request->session);
  g_string_append_c (body, '\n');
  g_string_append_printf (body, _("Agent: %s"),
                          agent != NULL ? agent->display_name : _("Shell"));
  g_string_append_c (body, '\n');
  g_string_append_printf (body, _("Project: %s"), request->project);
  g_string_append (body, "\n\n");
  g_string_append_printf (body,
                          g_dngettext (NULL,
                                       "Without an answer the request is denied in %lld second.",
                                       "Without an answer the request is denied in %lld seconds.",
                                       (gulong) left),
                          (long long) left);

  return g_string_free (g_steal_pointer (&body), FALSE);
}

static void
exitbox_allow_prompter_show_dialog (ExitboxAllowPrompter      *self,
                                    const ExitboxAllowRequest *request)
{
  GtkWindow *parent = NULL;
  g_autofree char *body = dup_request_body (request);
  AdwMessageDialog *dialog;

  if (self->application != NULL)
    parent = gtk_application_get_active_window (self->application);

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, _("Allow Network Access?"), body));
  adw_message_dialog_add_responses (dialog,
                                    "deny", _("_Deny"),
                                    "session", _("Allow for This _Session"),
                                    "always", _("_Always Allow"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "session", ADW_RESPONSE_SUGGESTED);
  /* Enter and Escape both deny, so a stray key press opens nothing. */
  adw_message_dialog_set_default_response (dialog, "deny");
  adw_message_dialog_set_close_response (dialog, "deny");
  gtk_window_set_modal (GTK_WINDOW (dialog), FALSE);
  if (parent == NULL && self->application != NULL)
    gtk_window_set_application (GTK_WINDOW (dialog), self->application);

  g_object_set_data_full (G_OBJECT (dialog), "exitbox-request-id", g_strdup (request->id), g_free);
  g_signal_connect (dialog, "response",
                    G_CALLBACK (exitbox_allow_prompter_dialog_response_cb), self);

  g_hash_table_insert (self->dialogs, g_strdup (request->id), g_object_ref_sink (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

static gboolean
application_is_focused (GtkApplication *application)
{
  GtkWindow *window = gtk_application_get_active_window (application);

  return window != NULL && gtk_window_is_active (window);
}

static void
exitbox_allow_prompter_notify (ExitboxAllowPrompter      *self,
                               const ExitboxAllowRequest *request)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *id = dup_notification_id (request->id);
  g_autofree char *body = NULL;
  const char *action = "app." ANSWER_ACTION;

  if (!EXITBOX_IS_APPLICATION (self->application) || application_is_focused (self->application))
    return;

  /* TRANSLATORS: the rule that an approval adds, then the session's container name */
  body = g_strdup_printf (_("%s\nSession: %s"), request->rule, request->session);
  notification = g_notification_new (_("Network Access Requested"));
  g_notification_set_body (notification, body);
  g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
  g_notification_add_button_with_target (notification, _("Deny"), action, "(ss)",
                                          request->id, "deny");
  g_notification_add_button_with_target (notification, _("Allow for This Session"), action,
                                          "(ss)", request->id, "session");
  g_notification_add_button_with_target (notification, _("Always Allow"), action, "(ss)",
                                          request->id, "always");
  exitbox_application_notify (EXITBOX_APPLICATION (self->application), id, notification);
}

static void
exitbox_allow_prompter_request_added_cb (ExitboxAllowRequests      *requests,
                                         const ExitboxAllowRequest *request,
                                         ExitboxAllowPrompter      *self)
{
  if (g_hash_table_contains (self->dialogs, request->id))
    return;

  g_debug ("Asking about allow request %s for %s from %s", request->id, request->entry,
           request->session);
  exitbox_allow_prompter_notify (self, request);
  exitbox_allow_prompter_show_dialog (self, request);
}

/* The request was answered elsewhere (the CLI, a notification), timed out,
 * or its session ended.
 */
static void
exitbox_allow_prompter_request_removed_cb (ExitboxAllowRequests *requests,
                                           const char           *id,
                                           ExitboxAllowPrompter *self)
{
  AdwMessageDialog *dialog = g_hash_table_lookup (self->dialogs, id);
  g_autofree char *notification_id = dup_notification_id (id);

  if (self->application != NULL)
    g_application_withdraw_notification (G_APPLICATION (self->application), notification_id);

  if (dialog == NULL)
    return;

  g_signal_handlers_disconnect_by_data (dialog, self);
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_hash_table_remove (self->dialogs, id);
}

static void
exitbox_allow_prompter_answer_activated_cb (GSimpleAction *action,
                                            GVariant      *parameter,
                                            gpointer       user_data)
{
  ExitboxAllowPrompter *self = user_data;
  const char *id;
  const char *response;
  ExitboxAllowAnswer answer;

  g_variant_get (parameter, "(&s&s)", &id, &response);
  if (!exitbox_allow_answer_from_string (response, &answer))
    return;

  exitbox_allow_prompter_answer (self, id, answer);
}

static void
destroy_dialog (gpointer data)
{
  GtkWindow *dialog = data;

  gtk_window_destroy (dialog);
  g_object_unref (dialog);
}

static void
exitbox_allow_prompter_dispose (GObject *object)
{
  ExitboxAllowPrompter *self = EXITBOX_ALLOW_PROMPTER (object);

  if (self->requests != NULL)
    g_signal_handlers_disconnect_by_data (self->requests, self);
  g_clear_object (&self->requests);

  if (self->dialogs != NULL)
    {
      GHashTableIter iter;
      gpointer dialog;

      g_hash_table_iter_init (&iter, self->dialogs);
      while (g_hash_table_iter_next (&iter, NULL, &dialog))
        g_signal_handlers_disconnect_by_data (dialog, self);
      g_clear_pointer (&self->dialogs, g_hash_table_unref);
    }

  if (self->application != NULL)
    {
      g_action_map_remove_action (G_ACTION_MAP (self->application), ANSWER_ACTION);
      g_object_remove_weak_pointer (G_OBJECT (self->application),
                                    (gpointer *) &self->application);
      self->application = NULL;
    }

  G_OBJECT_CLASS (exitbox_allow_prompter_parent_class)->dispose (object);
}

static void
exitbox_allow_prompter_class_init (ExitboxAllowPrompterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = exitbox_allow_prompter_dispose;
}

static void
exitbox_allow_prompter_init (ExitboxAllowPrompter *self)
{
  self->dialogs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, destroy_dialog);
}

ExitboxAllowPrompter *
exitbox_allow_prompter_new (GtkApplication  *application,
                            GError         **error)
{
  g_autoptr(ExitboxAllowPrompter) self = NULL;
  GPtrArray *pending;

  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);

  self = g_object_new (EXITBOX_TYPE_ALLOW_PROMPTER, NULL);
  self->requests = exitbox_allow_requests_new (error);
  if (self->requests == NULL)
    return NULL;

  if (application != NULL)
    {
      g_autoptr(GSimpleAction) action = g_simple_action_new (ANSWER_ACTION,
                                                             G_VARIANT_TYPE ("(ss)"));

      self->application = application;
      g_object_add_weak_pointer (G_OBJECT (application), (gpointer *) &self->application);
      g_signal_connect (action, "activate",
                        G_CALLBACK (exitbox_allow_prompter_answer_activated_cb), self);
      g_action_map_add_action (G_ACTION_MAP (application), G_ACTION (action));
    }

  g_signal_connect (self->requests, "request-added",
                    G_CALLBACK (exitbox_allow_prompter_request_added_cb), self);
  g_signal_connect (self->requests, "request-removed",
                    G_CALLBACK (exitbox_allow_prompter_request_removed_cb), self);

  /* Requests that waited before the application started are asked about too. */
  pending = exitbox_allow_requests_get_pending (self->requests);
  for (guint i = 0; i < pending->len; i++)
    exitbox_allow_prompter_request_added_cb (self->requests, g_ptr_array_index (pending, i), self);

  return g_steal_pointer (&self);
}

ExitboxAllowRequests *
exitbox_allow_prompter_get_requests (ExitboxAllowPrompter *self)
{
  g_return_val_if_fail (EXITBOX_IS_ALLOW_PROMPTER (self), NULL);

  return self->requests;
}

AdwMessageDialog *
exitbox_allow_prompter_get_dialog (ExitboxAllowPrompter *self,
                                   const char           *id)
{
  g_return_val_if_fail (EXITBOX_IS_ALLOW_PROMPTER (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  return g_hash_table_lookup (self->dialogs, id);
}
