# CI stand-in for the official nginx image (conf.d/*.conf included, port 80), from Debian's package.
FROM prepdeck-ci/base
RUN apt-get update -q && apt-get install -y -q --no-install-recommends nginx && \
    rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/* && \
    ln -sf /dev/stdout /var/log/nginx/access.log && ln -sf /dev/stderr /var/log/nginx/error.log
EXPOSE 80
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
