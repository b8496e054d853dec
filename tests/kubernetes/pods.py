"""Reads rendered manifests (`kubectl kustomize deploy/kubernetes`) the way Kubernetes would run
them, for tests/kubernetes/run.sh's rehearsal on one machine.

  shards RENDERED WORKDIR   one JSON line per pod of the Indexed Job: its argv and env, with
                            $(VAR) expanded as the kubelet does (JOB_COMPLETION_INDEX, and env
                            from the ConfigMaps), and its volumes mapped to local directories
                            (ConfigMap volumes written out under WORKDIR, the results volume at
                            WORKDIR/volumes, each pod's emptyDir at WORKDIR/emptydir/POD)
  merge RENDERED WORKDIR    the merge Job's command, env and volumes the same way, as one line
"""

import json
import os
import re
import sys

import yaml


def load(path):
    docs = [d for d in yaml.safe_load_all(open(path)) if d]
    configmaps = {d["metadata"]["name"]: d.get("data", {}) for d in docs if d["kind"] == "ConfigMap"}
    jobs = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Job"}
    return configmaps, jobs


def env_of(container, configmaps):
    env = {}
    for e in container.get("env", []):
        if "value" in e:
            env[e["name"]] = e["value"]
        else:
            ref = e["valueFrom"]["configMapKeyRef"]
            env[e["name"]] = configmaps[ref["name"]][ref["key"]]
    return env


def mounts_of(pod, container, configmaps, workdir, pod_name):
    """Each mount path → a local directory; ConfigMap volumes written out, an emptyDir a fresh
    directory of the pod's own."""
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    mapped = {}
    for m in container.get("volumeMounts", []):
        volume = volumes[m["name"]]
        if "configMap" in volume:
            local = os.path.join(workdir, "configmaps", m["name"])
            os.makedirs(local, exist_ok=True)
            for key, text in configmaps[volume["configMap"]["name"]].items():
                with open(os.path.join(local, key), "w") as f:
                    f.write(text)
        elif "emptyDir" in volume:
            local = os.path.join(workdir, "emptydir", pod_name, m["name"])
            os.makedirs(local, exist_ok=True)
        elif "persistentVolumeClaim" in volume:
            local = os.path.join(workdir, "volumes", volume["persistentVolumeClaim"]["claimName"])
            os.makedirs(local, exist_ok=True)
        else:
            sys.exit(f"volume {m['name']}: only ConfigMap, emptyDir and PVC volumes are rehearsed")
        mapped[m["mountPath"]] = local
    return mapped


def expand(text, env):
    """$(VAR) as the kubelet expands it in command and args; unknown names stay as written."""
    return re.sub(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", lambda m: env.get(m.group(1), m.group(0)), text)


def relocate(text, mounts):
    for path, local in sorted(mounts.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(path, local)
    return text


def pod_line(job, name, configmaps, workdir, extra_env, pod_name):
    pod = job["spec"]["template"]["spec"]
    container = next(c for c in pod["containers"] if c["name"] == name)
    mounts = mounts_of(pod, container, configmaps, workdir, pod_name)
    env = {**env_of(container, configmaps), **extra_env}
    argv = [relocate(expand(a, env), mounts) for a in container.get("command", []) + container.get("args", [])]
    return {"argv": argv, "env": {k: relocate(v, mounts) for k, v in env.items()}, "mounts": mounts}


def main():
    command, rendered, workdir = sys.argv[1:4]
    configmaps, jobs = load(rendered)
    if command == "shards":
        job = jobs["sqsbench-shards"]
        spec = job["spec"]
        assert spec["completionMode"] == "Indexed", spec
        assert spec["completions"] == spec["parallelism"], spec
        for index in range(spec["completions"]):
            line = pod_line(job, "sqsbench", configmaps, workdir, {"JOB_COMPLETION_INDEX": str(index)}, f"shard-{index}")
            print(json.dumps({"index": index, **line}))
    elif command == "merge":
        print(json.dumps(pod_line(jobs["sqsbench-merge"], "merge", configmaps, workdir, {}, "merge")))
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main()
