/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#pragma once

#include "exitbox-agent.h"
#include "exitbox-allow-listener.h"
#include "exitbox-allow-requests.h"
#include "exitbox-allowlist.h"
#include "exitbox-catalogue.h"
#include "exitbox-config.h"
#include "exitbox-containerfile.h"
#include "exitbox-doctor.h"
#include "exitbox-download.h"
#include "exitbox-engine.h"
#include "exitbox-firewall.h"
#include "exitbox-host-info.h"
#include "exitbox-image-builder.h"
#include "exitbox-image-store.h"
#include "exitbox-inspection.h"
#include "exitbox-launch-plan.h"
#include "exitbox-launcher.h"
#include "exitbox-login-relay.h"
#include "exitbox-managed-config.h"
#include "exitbox-paths.h"
#include "exitbox-project.h"
#include "exitbox-project-registry.h"
#include "exitbox-proxy-log.h"
#include "exitbox-proxy-session.h"
#include "exitbox-session-env.h"
#include "exitbox-session-log.h"
#include "exitbox-session-options.h"
#include "exitbox-squid-config.h"
#include "exitbox-wizard.h"

/* Registers the core's GResource (Containerfiles, entrypoint, defaults) and
 * binds the core's gettext domain. Idempotent.
 */
G_BEGIN_DECLS

void exitbox_core_init (void);

G_END_DECLS
