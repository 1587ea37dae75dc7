/*
 * awscreds.h: AWS credentials found the way the AWS CLI finds them, in this
 * order: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN,
 * AWS_CREDENTIAL_EXPIRATION); a profile in the shared credentials and config
 * files (AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE, ~/.aws/...); the
 * container credentials endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI or
 * _RELATIVE_URI, with AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]); the EC2
 * instance metadata service (IMDSv2, AWS_EC2_METADATA_SERVICE_ENDPOINT).
 * A profile named by aws_profile / --aws-profile (not AWS_PROFILE) comes
 * before the environment's keys, as --profile does for the AWS CLI.
 *
 * Credentials with an expiry (container, instance metadata) are fetched
 * again by a thread of their own before they expire; workers copy the
 * current set when its generation changes and never sign with a set past
 * its expiry (awscreds_usable).
 */
#ifndef CICADA_AWSCREDS_H
#define CICADA_AWSCREDS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/*
 * Find the credentials (blocking: reads files, may ask the container or
 * instance metadata endpoints). profile: the profile named by the settings
 * (NULL: AWS_PROFILE, AWS_DEFAULT_PROFILE or "default"). On success returns
 * 0, sets *source to a sentence naming where they came from (static) and
 * *region to the profile's region (allocated) or NULL. Else -1 and *err
 * (allocated) names where it looked. The secret key and the token are
 * registered with secret.c.
 */
int awscreds_load(const char *profile, const char **source, char **region, char **err);

/* Start the refresh thread when the credentials expire (after awscreds_load). */
void awscreds_start_refresh(void);

/* Stop the refresh thread and forget the credentials. */
void awscreds_shutdown(void);

/* Generation of the current set (changes with every refresh; 0: none). Lock-free. */
uint64_t awscreds_generation(void);

/* Copy the current set (strings allocated, caller frees). Returns its generation. */
uint64_t awscreds_get(char **key_id, char **secret, char **token, time_t *expires);

/* May a request be signed at unix time now? (no expiry, or more than a second before it) */
bool awscreds_usable(double now);

/* Unix time the current set expires (0: never). */
time_t awscreds_expiry(void);

/* Parse "2026-12-02T10:00:00Z" (fraction and "+00:00" accepted); -1 if not a time. */
time_t awscreds_parse_time(const char *text);

#endif
