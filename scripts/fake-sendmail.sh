#!/bin/sh
# fake-sendmail.sh [ARGS...] - a sendmail stand-in for development and
# tests: the message on standard input is written, whole, to one file in
# $MAIL_CAPTURE_DIR (default $MED_DATA_DIR/mail, else var/mail), named
# <UTC time>-<pid>.eml, and nothing is sent.  Arguments (-t -i) are
# ignored.  `make run` points the outbox sender's MAIL_COMMAND here, so
# a developer reads the reset mails in var/mail/.
#
# The file appears complete or not at all (written aside, then renamed),
# so whoever watches the directory never reads half a message.
set -eu
DIR=${MAIL_CAPTURE_DIR:-${MED_DATA_DIR:-var}/mail}
mkdir -p "$DIR"
NAME=$(date -u +%Y%m%dT%H%M%SZ)-$$
umask 077
cat > "$DIR/.$NAME.tmp"
mv "$DIR/.$NAME.tmp" "$DIR/$NAME.eml"
