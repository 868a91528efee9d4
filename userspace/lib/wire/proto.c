// SPDX-License-Identifier: MIT
/* The few TLS constants that are data rather than numbers. */
#include "wire/proto.h"

/* RFC 8446 §4.1.3: SHA-256("HelloRetryRequest") */
const uint8_t tls13_hrr_random[32] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c,
	0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb,
	0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

/* RFC 8446 §4.1.3: "DOWNGRD" followed by 01 for a TLS 1.2 server */
const uint8_t tls13_downgrade_tls12[8] = {
	0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01,
};

const char *tls_alert_name(int alert)
{
	switch (alert) {
	case TLS_ALERT_CLOSE_NOTIFY: return "close_notify";
	case TLS_ALERT_UNEXPECTED_MESSAGE: return "unexpected_message";
	case TLS_ALERT_BAD_RECORD_MAC: return "bad_record_mac";
	case TLS_ALERT_RECORD_OVERFLOW: return "record_overflow";
	case TLS_ALERT_HANDSHAKE_FAILURE: return "handshake_failure";
	case TLS_ALERT_BAD_CERTIFICATE: return "bad_certificate";
	case TLS_ALERT_UNSUPPORTED_CERTIFICATE: return "unsupported_certificate";
	case TLS_ALERT_CERTIFICATE_REVOKED: return "certificate_revoked";
	case TLS_ALERT_CERTIFICATE_EXPIRED: return "certificate_expired";
	case TLS_ALERT_CERTIFICATE_UNKNOWN: return "certificate_unknown";
	case TLS_ALERT_ILLEGAL_PARAMETER: return "illegal_parameter";
	case TLS_ALERT_UNKNOWN_CA: return "unknown_ca";
	case TLS_ALERT_ACCESS_DENIED: return "access_denied";
	case TLS_ALERT_DECODE_ERROR: return "decode_error";
	case TLS_ALERT_DECRYPT_ERROR: return "decrypt_error";
	case TLS_ALERT_PROTOCOL_VERSION: return "protocol_version";
	case TLS_ALERT_INSUFFICIENT_SECURITY: return "insufficient_security";
	case TLS_ALERT_INTERNAL_ERROR: return "internal_error";
	case TLS_ALERT_INAPPROPRIATE_FALLBACK: return "inappropriate_fallback";
	case TLS_ALERT_USER_CANCELED: return "user_canceled";
	case TLS_ALERT_NO_RENEGOTIATION: return "no_renegotiation";
	case TLS_ALERT_MISSING_EXTENSION: return "missing_extension";
	case TLS_ALERT_UNSUPPORTED_EXTENSION: return "unsupported_extension";
	case TLS_ALERT_UNRECOGNIZED_NAME: return "unrecognized_name";
	case TLS_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE:
		return "bad_certificate_status_response";
	case TLS_ALERT_UNKNOWN_PSK_IDENTITY: return "unknown_psk_identity";
	case TLS_ALERT_CERTIFICATE_REQUIRED: return "certificate_required";
	case TLS_ALERT_NO_APPLICATION_PROTOCOL: return "no_application_protocol";
	}
	return "unknown";
}
