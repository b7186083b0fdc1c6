# Snakemake workflow: day-ahead for every community of a manifest, then the merged table.
#   snakemake --cores 2                         (locally)
#   snakemake --executor slurm --jobs 64        (on a cluster, with the Slurm executor plugin)
# config: manifest (CSV community,history,date,model; default Datasets/demo/manifest.csv), shards, out, peergrid.
# Each shard is one job; peergrid skips communities it already finished, so a rerun after a failure redoes only
# what is missing. The shard's log is its output, so Snakemake knows the shard finished.
configfile: "deploy/snakemake/config.yaml"

MANIFEST = config.get("manifest", "Datasets/demo/manifest.csv")
SHARDS = int(config.get("shards", 2))
OUT = config.get("out", "Reports")
PEERGRID = config.get("peergrid", ".build/release/peergrid")

rule all:
    input: f"{OUT}/batch.csv"

rule shard:
    input: MANIFEST
    output: f"{OUT}/logs/shard-{{i}}-of-{SHARDS}.log"
    threads: 2
    shell:
        "OPENBLAS_NUM_THREADS={threads} {PEERGRID} batch --manifest {input} --shard {wildcards.i}/" + str(SHARDS)
        + " --out " + OUT + " --store-dir " + OUT + "/stores > {output}.tmp && mv {output}.tmp {output}"

rule merge:
    input:
        manifest = MANIFEST,
        logs = expand(f"{OUT}/logs/shard-{{i}}-of-{SHARDS}.log", i = range(SHARDS)),
    output: f"{OUT}/batch.csv"
    shell: "{PEERGRID} batch merge --manifest {input.manifest} --out " + OUT + " --store-dir " + OUT + "/stores --to {output}"
