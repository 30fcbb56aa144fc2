# CI only: bare Debian bookworm (debootstrap) trusting exactly what the host trusts.
FROM prepdeck-ci/rootfs
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY host-ca/ /usr/local/share/ca-certificates/host/
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
