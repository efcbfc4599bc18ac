/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 *
 * A shared object to load with LD_PRELOAD into any GTK 4 program, so that
 * bench/desktop-start.sh times exitbox-desktop and bench/minimal-window the
 * same way without a hook in either program.
 *
 * Its constructor adds an emission hook to GdkFrameClock::after-paint. The
 * first emission in the process follows the first frame GTK drew for any of
 * its windows. The hook then waits with gdk_display_sync() until the X
 * server has processed everything sent so far, because GTK may still keep
 * the frame's drawing requests in its output buffer. It writes
 * CLOCK_REALTIME in microseconds to the file named by BENCH_FIRST_FRAME_FILE
 * and ends the process with _exit(0), skipping shutdown.
 *
 * Without BENCH_FIRST_FRAME_FILE it does nothing.
 */

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <gtk/gtk.h>

static const char *frame_file;

static gboolean
after_paint_hook (GSignalInvocationHint *hint,
                  guint                  n_values,
                  const GValue          *values,
                  gpointer               user_data)
{
  GdkDisplay *display = gdk_display_get_default ();
  char line[32];
  int length;
  int fd;

  if (display != NULL)
    gdk_display_sync (display);

  length = g_snprintf (line, sizeof line, "%" G_GINT64_FORMAT "\n", g_get_real_time ());

  fd = open (frame_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || write (fd, line, length) != length)
    {
      g_printerr ("first-frame: failed to write %s\n", frame_file);
      _exit (1);
    }
  close (fd);

  _exit (0);
}

static void first_frame_init (void) __attribute__ ((constructor));

static void
first_frame_init (void)
{
  guint signal_id;

  frame_file = getenv ("BENCH_FIRST_FRAME_FILE");
  if (frame_file == NULL || *frame_file == '\0')
    return;

  /* The class must exist before its signals can be looked up. GTK's and
   * GLib's own constructors have run by now, because this object depends on
   * them.
   */
  g_type_class_ref (GDK_TYPE_FRAME_CLOCK);
  signal_id = g_signal_lookup ("after-paint", GDK_TYPE_FRAME_CLOCK);
  if (signal_id == 0)
    {
      g_printerr ("first-frame: GdkFrameClock has no after-paint signal\n");
      _exit (1);
    }

  g_signal_add_emission_hook (signal_id, 0, after_paint_hook, NULL, NULL);
}
