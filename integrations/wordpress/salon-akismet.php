<?php
/**
 * Plugin Name: Salon for Akismet
 * Description: Sends the Akismet plugin's spam checks to your own Salon instead of Akismet's servers. The Akismet plugin itself is left as it is.
 * Version: 1.0.0
 * Requires PHP: 7.0
 * License: GPL-2.0-or-later
 * License URI: https://www.gnu.org/licenses/gpl-2.0.html
 *
 * Install: copy this one file into wp-content/mu-plugins/ (create the folder if it is missing)
 * and add one line to wp-config.php, above "That's all, stop editing!":
 *
 *     define( 'SALON_AKISMET_URL', 'https://spam.example.org' );
 *
 * the address of your Salon (HTTPS; plain http:// only for a Salon on this same machine).
 * Then enter the 12-character key your Salon's administrator gave you under
 * Settings > Akismet Anti-Spam, as you would an Akismet key.
 *
 * What it does:
 * - every request the Akismet plugin makes to rest.akismet.com (comment checks, reports of
 *   spam and not-spam, key checks, statistics) goes to SALON_AKISMET_URL instead, with the
 *   same path and body; nothing goes to Akismet's servers, and if the address is missing or
 *   not HTTPS the request fails (the plugin then holds comments and checks them later);
 * - the statistics frames of the plugin's settings page show Salon's page (fetched by
 *   WordPress, with the key in the request's body), not Akismet's;
 * - when Salon asks the plugin to wait (its key is over its rate), the plugin's recheck of the
 *   comments it held is moved to the moment Salon gave, instead of 20 minutes later;
 * - a comment Salon says should wait for a person (X-Salon-Hold) is held for moderation even
 *   where WordPress would have published it.
 */

defined( 'ABSPATH' ) || exit;

/** The host the Akismet plugin sends its API requests to. */
const SALON_AKISMET_API_HOST = 'rest.akismet.com';
/** The host of the statistics frames on the plugin's settings page. */
const SALON_AKISMET_TOOLS_HOST = 'tools.akismet.com';
/** Salon's alert codes (X-akismet-alert-code); Akismet's own are below them. */
const SALON_AKISMET_ALERT_CODES = array( 90001, 90002, 90003, 90004 );

/**
 * Check a Salon address: HTTPS, or plain HTTP to this machine only (the key travels in every
 * request), with no query or fragment.
 *
 * @param mixed $url The address as configured.
 * @return string|WP_Error The address without its trailing slash, or what is wrong with it.
 */
function salon_akismet_parse_address( $url ) {
	if ( ! is_string( $url ) || '' === trim( $url ) ) {
		return new WP_Error( 'salon_akismet_no_address', "SALON_AKISMET_URL is not set: add define( 'SALON_AKISMET_URL', 'https://your-salon.example' ); to wp-config.php." );
	}
	$url   = trim( $url );
	$parts = wp_parse_url( $url );
	if ( ! is_array( $parts ) || empty( $parts['scheme'] ) || empty( $parts['host'] ) ) {
		return new WP_Error( 'salon_akismet_bad_address', sprintf( 'SALON_AKISMET_URL (%s) is not an address such as https://spam.example.org.', $url ) );
	}
	if ( isset( $parts['query'] ) || isset( $parts['fragment'] ) || isset( $parts['user'] ) ) {
		return new WP_Error( 'salon_akismet_bad_address', sprintf( 'SALON_AKISMET_URL (%s) must be the address of the Salon alone, with no query, fragment or user name.', $url ) );
	}
	$scheme = strtolower( $parts['scheme'] );
	$host   = strtolower( trim( $parts['host'], '[]' ) );
	if ( 'https' !== $scheme && ! ( 'http' === $scheme && salon_akismet_is_loopback( $host ) ) ) {
		return new WP_Error( 'salon_akismet_insecure_address', sprintf( 'SALON_AKISMET_URL (%s) must start with https:// (plain http:// only for a Salon on this same machine): the API key and your readers\' comments travel in every request.', $url ) );
	}
	return rtrim( $url, '/' );
}

/**
 * Whether a host is this machine itself.
 *
 * @param string $host A host name or IP address (IPv6 without brackets).
 * @return bool
 */
function salon_akismet_is_loopback( $host ) {
	if ( 'localhost' === $host || '::1' === $host ) {
		return true;
	}
	return (bool) preg_match( '/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/', $host );
}

/**
 * The configured Salon address, or why there is none.
 *
 * @return string|WP_Error
 */
function salon_akismet_address() {
	return salon_akismet_parse_address( defined( 'SALON_AKISMET_URL' ) ? SALON_AKISMET_URL : '' );
}

/**
 * Whether a request is for Akismet's API: to rest.akismet.com (or a subdomain), or to one of
 * its IP addresses with that Host header (the plugin's connectivity check does that).
 *
 * @param string $url  The request's URL.
 * @param array  $args The request's arguments.
 * @return bool
 */
function salon_akismet_is_api_request( $url, $args ) {
	$host = strtolower( (string) wp_parse_url( $url, PHP_URL_HOST ) );
	if ( SALON_AKISMET_API_HOST === $host || substr( $host, -strlen( '.' . SALON_AKISMET_API_HOST ) ) === '.' . SALON_AKISMET_API_HOST ) {
		return true;
	}
	if ( isset( $args['headers'] ) && is_array( $args['headers'] ) ) {
		foreach ( $args['headers'] as $name => $value ) {
			if ( 'host' === strtolower( $name ) && SALON_AKISMET_API_HOST === strtolower( (string) $value ) ) {
				return true;
			}
		}
	}
	return false;
}

/**
 * Send the Akismet plugin's request to Salon instead (the `pre_http_request` filter).
 *
 * @param false|array|WP_Error $response A response another filter already gave, or false.
 * @param array                $args     The request's arguments.
 * @param string               $url      The request's URL.
 * @return false|array|WP_Error Salon's response, an error, or false for any other request.
 */
function salon_akismet_redirect( $response, $args, $url ) {
	static $sending = false;
	if ( false !== $response || $sending || ! salon_akismet_is_api_request( $url, $args ) ) {
		return $response;
	}
	$address = salon_akismet_address();
	if ( is_wp_error( $address ) ) {
		// Never fall back to Akismet's servers: the plugin sees a failed request, holds the
		// comment and checks it again later.
		return $address;
	}
	$path   = (string) wp_parse_url( $url, PHP_URL_PATH );
	$query  = (string) wp_parse_url( $url, PHP_URL_QUERY );
	$target = $address . ( '' === $path ? '/' : $path ) . ( '' === $query ? '' : '?' . $query );
	if ( isset( $args['headers'] ) && is_array( $args['headers'] ) ) {
		foreach ( array_keys( $args['headers'] ) as $name ) {
			if ( 'host' === strtolower( $name ) ) {
				unset( $args['headers'][ $name ] );
			}
		}
	}
	$sending = true;
	try {
		$result = wp_remote_request( $target, $args );
	} finally {
		$sending = false;
	}
	salon_akismet_note_response( $path, $result );
	return $result;
}
add_filter( 'pre_http_request', 'salon_akismet_redirect', 10, 3 );

/**
 * Remember what a Salon answer asks of WordPress: when the key may be used again, and
 * whether the comment just checked should wait for a person.
 *
 * @param string         $path   The API path, e.g. /1.1/comment-check.
 * @param array|WP_Error $result Salon's response.
 */
function salon_akismet_note_response( $path, $result ) {
	if ( '/comment-check' === substr( $path, -strlen( '/comment-check' ) ) ) {
		$GLOBALS['salon_akismet_hold'] = ! is_wp_error( $result ) && 'true' === wp_remote_retrieve_header( $result, 'x-salon-hold' );
	}
	if ( is_wp_error( $result ) ) {
		return;
	}
	$retry_after = wp_remote_retrieve_header( $result, 'retry-after' );
	if ( 429 === (int) wp_remote_retrieve_response_code( $result ) && ctype_digit( (string) $retry_after ) ) {
		update_option( 'salon_akismet_retry_at', time() + max( 1, (int) $retry_after ), false );
		salon_akismet_pull_recheck();
	} elseif ( 200 === (int) wp_remote_retrieve_response_code( $result ) ) {
		delete_option( 'salon_akismet_retry_at' );
	}
}

/**
 * Move the Akismet plugin's recheck of held comments to the moment Salon said its key may be
 * used again (the plugin itself waits 20 minutes, or 6 hours while an alert is shown).
 */
function salon_akismet_pull_recheck() {
	$retry_at = (int) get_option( 'salon_akismet_retry_at' );
	if ( $retry_at <= 0 ) {
		return;
	}
	if ( $retry_at < time() ) {
		delete_option( 'salon_akismet_retry_at' );
		return;
	}
	$next = wp_next_scheduled( 'akismet_schedule_cron_recheck' );
	if ( $next && $next <= $retry_at ) {
		return;
	}
	wp_clear_scheduled_hook( 'akismet_schedule_cron_recheck' );
	wp_schedule_single_event( $retry_at, 'akismet_schedule_cron_recheck' );
}
add_action( 'akismet_scheduled_recheck', 'salon_akismet_pull_recheck' );

/**
 * Hold a comment Salon says should wait for a person (`pre_comment_approved`, after the
 * Akismet plugin's own filter): Akismet's protocol answers only spam or not spam.
 *
 * @param int|string|WP_Error $approved WordPress's decision so far.
 * @return int|string|WP_Error
 */
function salon_akismet_hold( $approved ) {
	$hold                          = ! empty( $GLOBALS['salon_akismet_hold'] );
	$GLOBALS['salon_akismet_hold'] = false;
	if ( $hold && ( 1 === $approved || '1' === $approved ) ) {
		return 0;
	}
	return $approved;
}
add_filter( 'pre_comment_approved', 'salon_akismet_hold', 99 );

/**
 * Show Salon's statistics in the frames of the plugin's settings page (the `clean_url`
 * filter). Akismet's frames would have the owner's browser send the key and the blog's
 * address to tools.akismet.com in the URL; these are served by WordPress itself, which asks
 * Salon with the key in the request's body.
 *
 * @param string $url      The escaped URL.
 * @param string $original The URL before escaping.
 * @param string $context  'display' for HTML, 'db' otherwise.
 * @return string
 */
function salon_akismet_statistics_frames( $url, $original, $context = 'display' ) {
	if ( strpos( $original, 'https://' . SALON_AKISMET_TOOLS_HOST . '/' ) !== 0 ) {
		return $url;
	}
	$path = (string) wp_parse_url( $original, PHP_URL_PATH );
	if ( '/1.0/snapshot.php' === $path ) {
		$view = 'snapshot';
	} elseif ( '/1.0/user-stats.php' === $path ) {
		$view = 'detailed';
	} else {
		return 'about:blank';
	}
	$frame = add_query_arg(
		array(
			'action' => 'salon_akismet_statistics',
			'view'   => $view,
		),
		admin_url( 'admin-ajax.php' )
	);
	return 'display' === $context ? str_replace( '&', '&#038;', $frame ) : $frame;
}
add_filter( 'clean_url', 'salon_akismet_statistics_frames', 10, 3 );

/**
 * Serve a statistics frame: Salon's page for this blog (admin-ajax.php, for the site's
 * administrators only). Whatever Salon sends, the frame may run no script.
 */
function salon_akismet_statistics_page() {
	if ( ! current_user_can( 'manage_options' ) ) {
		wp_die( esc_html( 'Only the site\'s administrators may see its spam statistics.' ), 403 );
	}
	header( "Content-Security-Policy: sandbox; default-src 'none'; style-src 'unsafe-inline'" );
	header( 'Content-Type: text/html; charset=utf-8' );
	$address = salon_akismet_address();
	$key     = class_exists( 'Akismet' ) ? Akismet::get_api_key() : '';
	if ( is_wp_error( $address ) || ! $key ) {
		echo '<p>' . esc_html( is_wp_error( $address ) ? $address->get_error_message() : 'No API key is set.' ) . '</p>';
		exit;
	}
	$response = wp_remote_post(
		$address . '/1.1/stats-page',
		array(
			'body'    => array(
				'key'  => $key,
				'blog' => get_option( 'home' ),
				'view' => ( isset( $_GET['view'] ) && 'detailed' === $_GET['view'] ) ? 'detailed' : 'snapshot', // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- read-only
			),
			'timeout' => 15,
		)
	);
	if ( is_wp_error( $response ) || 200 !== (int) wp_remote_retrieve_response_code( $response ) ) {
		$why = is_wp_error( $response ) ? $response->get_error_message() : wp_remote_retrieve_body( $response );
		echo '<p>' . esc_html( 'Salon could not be asked for the statistics: ' . $why ) . '</p>';
		exit;
	}
	echo wp_remote_retrieve_body( $response ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- Salon's page, sandboxed by the header above
	exit;
}
add_action( 'wp_ajax_salon_akismet_statistics', 'salon_akismet_statistics_page' );

/**
 * On Salon's own alerts, say where they come from instead of linking to Akismet's pages
 * about its codes (the plugin prints "For more information: <akismet.com/errors/code>").
 *
 * @param string $translation The translated text.
 * @param string $text        The original text.
 * @return string
 */
function salon_akismet_alert_source( $translation, $text ) {
	if ( 'For more information: %s' === $text && in_array( (int) get_option( 'akismet_alert_code' ), SALON_AKISMET_ALERT_CODES, true ) ) {
		return 'This alert comes from your Salon spam filter; its administrator can tell you more.';
	}
	return $translation;
}
add_filter( 'gettext_akismet', 'salon_akismet_alert_source', 10, 2 );

/**
 * Tell the site's administrators when the Salon address is missing or unsafe.
 */
function salon_akismet_admin_notice() {
	$address = salon_akismet_address();
	if ( ! is_wp_error( $address ) || ! current_user_can( 'manage_options' ) ) {
		return;
	}
	printf(
		'<div class="notice notice-error"><p><strong>Salon for Akismet:</strong> %s %s</p></div>',
		esc_html( $address->get_error_message() ),
		esc_html( 'Until it is fixed, comments are held for moderation and checked again later.' )
	);
}
add_action( 'admin_notices', 'salon_akismet_admin_notice' );
