package com.example.net;

import java.security.cert.X509Certificate;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.apache.hc.client5.http.ssl.NoopHostnameVerifier;

@Configuration
class TlsConfig {
    SSLContext modern() throws Exception {
        // ruleid: vibeward.java.encryption_in_transit.tls-context-version
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(keyManagers, trustManagers, new SecureRandom());
        return context;
    }

    SSLContext generic() throws Exception {
        // ok: vibeward.java.encryption_in_transit.tls-context-version
        // ok: vibeward.java.encryption_in_transit.weak-tls-protocol
        return SSLContext.getInstance("TLS");
    }

    SSLContext legacy() throws Exception {
        // ruleid: vibeward.java.encryption_in_transit.weak-tls-protocol
        return SSLContext.getInstance("TLSv1");
    }

    SSLContext ssl() throws Exception {
        // ruleid: vibeward.java.encryption_in_transit.weak-tls-protocol
        return SSLContext.getInstance("SSL");
    }

    void socket(SSLSocket socket) {
        // ruleid: vibeward.java.encryption_in_transit.enabled-protocols
        socket.setEnabledProtocols(new String[] {"TLSv1.2", "TLSv1.3"});
    }

    @Bean
    SecurityFilterChain https(HttpSecurity http) throws Exception {
        return http
            // ruleid: vibeward.java.encryption_in_transit.requires-https
            .requiresChannel(channel -> channel.anyRequest().requiresSecure())
            .headers(headers -> headers
                // ruleid: vibeward.java.encryption_in_transit.hsts
                .httpStrictTransportSecurity(hsts -> hsts.includeSubDomains(true).maxAgeInSeconds(31536000)))
            .build();
    }
}

class InsecureHttpClient {
    SSLContext trustAll() throws Exception {
        TrustManager[] trustAllCerts = new TrustManager[] {
            new X509TrustManager() {
                public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
                public void checkClientTrusted(X509Certificate[] certs, String authType) {}
                // ruleid: vibeward.java.encryption_in_transit.trust-all-certificates
                public void checkServerTrusted(X509Certificate[] certs, String authType) {}
            }
        };
        // ruleid: vibeward.java.encryption_in_transit.tls-context-version
        SSLContext sc = SSLContext.getInstance("TLSv1.2");
        sc.init(null, trustAllCerts, new SecureRandom());
        // ruleid: vibeward.java.encryption_in_transit.hostname-verification-disabled
        HttpsURLConnection.setDefaultHostnameVerifier((hostname, session) -> true);
        return sc;
    }

    CloseableHttpClient client() throws Exception {
        SSLContext sslContext = SSLContextBuilder.create()
            // ruleid: vibeward.java.encryption_in_transit.trust-all-certificates
            .loadTrustMaterial(null, (chain, authType) -> true)
            .build();
        // ruleid: vibeward.java.encryption_in_transit.hostname-verification-disabled
        return HttpClients.custom().setSSLHostnameVerifier(NoopHostnameVerifier.INSTANCE).build();
    }
}

class PinningTrustManager implements X509TrustManager {
    private final X509TrustManager delegate;

    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkClientTrusted(chain, authType);
    }

    // ok: vibeward.java.encryption_in_transit.trust-all-certificates
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkServerTrusted(chain, authType);
        pins.verify(chain[0]);
    }

    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }
}
