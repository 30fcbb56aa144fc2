# CI stand-in for the official postgres image (same variables, data folder and port), from Debian's package.
FROM prepdeck-ci/base
RUN apt-get update -q && apt-get install -y -q --no-install-recommends postgresql-15 && \
    rm -rf /var/lib/apt/lists/* && \
    mkdir -p /var/lib/postgresql/data /var/run/postgresql && \
    chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data
USER postgres
EXPOSE 5432
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CMD ["postgres"]
