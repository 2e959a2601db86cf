#!/usr/bin/env bash
# The appliance's lock-down and layout, applied to a root file system tree (build-image.sh calls
# it after installing our .deb). image/README.md says what each measure protects against.
#   apply.sh ROOT    (environment: ROOT_PART_UUID, DATA_PART_UUID, MINSHENG_SOFTWARE_RENDER)
set -euo pipefail
root=$1
: "${ROOT_PART_UUID:?}" "${DATA_PART_UUID:?}"
sc() { systemctl --root="$root" --quiet "$@"; }
put() { # put PATH MODE < content
  mkdir -p "$(dirname "$root$1")"
  cat > "$root$1"
  chmod "$2" "$root$1"
}

# ---- file systems: read-only root, persistent data partition, tmpfs for the rest ---------
put /etc/fstab 0644 <<EOF
# Minsheng kiosk appliance (image/rootfs/apply.sh). The root file system is read-only; all
# persistent state is on the data partition, mounted at /persist and bound into place.
PARTUUID=$ROOT_PART_UUID  /  ext4  ro,noatime,errors=remount-ro  0 1
PARTUUID=$DATA_PART_UUID  /persist  ext4  rw,nodev,nosuid,noexec,noatime  0 2
/persist/minsheng      /var/lib/minsheng          none  bind,x-systemd.requires-mounts-for=/persist  0 0
/persist/systemd       /var/lib/systemd           none  bind,x-systemd.requires-mounts-for=/persist  0 0
/persist/etc-minsheng  /etc/minsheng              none  bind,x-systemd.requires-mounts-for=/persist  0 0
/persist/credstore     /etc/credstore.encrypted   none  bind,x-systemd.requires-mounts-for=/persist  0 0
tmpfs  /tmp              tmpfs  nodev,nosuid,mode=1777,size=64M  0 0
tmpfs  /var/tmp          tmpfs  nodev,nosuid,mode=1777,size=16M  0 0
tmpfs  /var/log          tmpfs  nodev,nosuid,noexec,mode=0755,size=16M  0 0
tmpfs  /var/cache        tmpfs  nodev,nosuid,noexec,mode=0755,size=16M  0 0
tmpfs  /var/lib/private  tmpfs  nodev,nosuid,noexec,mode=0700,size=4M  0 0
EOF
mkdir -p "$root/persist" "$root/var/lib/minsheng" "$root/etc/minsheng" \
  "$root/etc/credstore.encrypted" "$root/var/lib/private"
chmod 0700 "$root/etc/credstore.encrypted" "$root/var/lib/private"
# A read-only /etc: an empty machine-id makes systemd use a fresh one per boot (nothing here
# needs a stable one; the journal is volatile).
: > "$root/etc/machine-id"
echo minsheng-kiosk > "$root/etc/hostname"

# ---- no swap, no core dumps, no SysRq, no Ctrl+Alt+Del --------------------------------------
sc mask swap.target ctrl-alt-del.target
put /etc/systemd/system.conf.d/minsheng.conf 0644 <<'EOF'
[Manager]
# Ctrl+Alt+Del pressed 7 times within 2 s would otherwise force a reboot.
CtrlAltDelBurstAction=none
DefaultLimitCORE=0
EOF
put /etc/sysctl.d/60-minsheng.conf 0644 <<'EOF'
# No magic SysRq keys (a keyboard must not reboot, sync or kill processes).
kernel.sysrq = 0
# No core dumps anywhere: a dump of the kiosk would hold what a parent just typed.
kernel.core_pattern = |/bin/false
fs.suid_dumpable = 0
kernel.dmesg_restrict = 1
kernel.kptr_restrict = 2
vm.swappiness = 0
EOF

# ---- no login anywhere: no getty on any VT or serial line; no VT switching --------------------
sc mask getty@.service autovt@.service serial-getty@.service console-getty.service \
  container-getty@.service getty-static.service
put /etc/systemd/logind.conf.d/minsheng.conf 0644 <<'EOF'
[Login]
NAutoVTs=0
ReserveVT=0
# Buttons on a public kiosk do nothing; staff power it off at the mains or by the county's
# decommissioning procedure (image/README.md).
HandlePowerKey=ignore
HandleSuspendKey=ignore
HandleHibernateKey=ignore
HandleRebootKey=ignore
EOF
passwd -R "$root" -l root >/dev/null 2>&1 || true

# ---- journald in memory only, capped ----------------------------------------------------------
put /etc/systemd/journald.conf.d/minsheng.conf 0644 <<'EOF'
[Journal]
Storage=volatile
RuntimeMaxUse=32M
RuntimeMaxFileSize=4M
ForwardToConsole=no
EOF

if [ "${MINSHENG_CONSOLE_STATUS:-0}" = 1 ]; then
  # boot-check.sh: the services' output on the serial console too.
  put /etc/systemd/journald.conf.d/console.conf 0644 <<'EOF'
[Journal]
ForwardToConsole=yes
TTYPath=/dev/ttyS0
MaxLevelConsole=info
EOF
  # ... and the kiosk unit's journal, once a minute (a check image only: never on a real kiosk,
  # where the console is not watched and the journal stays in memory).
  put /usr/lib/minsheng/console-report 0755 <<'REPORT'
#!/bin/sh
while :; do
  sleep 45
  {
    journalctl -b --no-pager -o short-monotonic -n 40 -u minsheng-kiosk.service
    ps -u minsheng -o pid,ppid,etime,time,stat,wchan:24,args
    for p in $(pgrep -u minsheng); do
      echo "== $p $(cat /proc/$p/comm)"
      for t in /proc/$p/task/*; do echo "-- $t $(cat $t/comm) $(cat $t/wchan)"; head -n 6 $t/stack; done
    done
    loginctl show-session c1 -p Seat -p VTNr -p Active -p State -p Type
  } > /dev/ttyS0 2>&1
done
REPORT
  put /etc/systemd/system/minsheng-console-report.service 0644 <<'EOF'
[Unit]
Description=Minsheng boot check: the kiosk's journal on the serial console
After=minsheng-provision.service

[Service]
ExecStart=/usr/lib/minsheng/console-report

[Install]
WantedBy=multi-user.target
EOF
  sc enable minsheng-console-report.service
  # Software emulation (qemu TCG) compiles llvmpipe's shaders slowly: allow a long first frame.
  put /etc/systemd/system/minsheng-kiosk.service.d/slow-start.conf 0644 <<'EOF'
[Service]
TimeoutStartSec=900
EOF
fi

# ---- USB storage: read for provisioning, refused after ------------------------------------
put /etc/modprobe.d/minsheng-usb-storage.conf 0644 <<'EOF'
# Once the kiosk is provisioned (/persist/.provisioned), no USB stick is read again.
install usb_storage /usr/lib/minsheng/usb-storage-gate usb_storage
install uas /usr/lib/minsheng/usb-storage-gate uas
EOF

# ---- network (the forwarder only; the UI service has none) ----------------------------------
put /etc/systemd/network/80-minsheng-dhcp.network 0644 <<'EOF'
[Match]
Name=en* eth*

[Network]
DHCP=yes
EOF
sc enable systemd-networkd.service
if [ -e "$root/usr/lib/systemd/system/systemd-resolved.service" ]; then
  sc enable systemd-resolved.service
  ln -sf ../run/systemd/resolve/stub-resolv.conf "$root/etc/resolv.conf"
fi
[ -e "$root/usr/lib/systemd/system/systemd-timesyncd.service" ] && sc enable systemd-timesyncd.service
# Nothing updates the image in place: updates replace the root partition (image/README.md).
for t in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service; do
  [ -e "$root/usr/lib/systemd/system/$t" ] || [ -e "$root/lib/systemd/system/$t" ] && sc mask "$t"
done

# ---- the kiosk ---------------------------------------------------------------------------------
sc set-default graphical.target
sc enable seatd.service minsheng-provision.service minsheng-kiosk.service minsheng-sync.service
if [ "${MINSHENG_SOFTWARE_RENDER:-0}" = 1 ]; then
  put /usr/lib/minsheng/session.env 0644 <<'EOF'
# Built with --software-render: Mesa's llvmpipe for the kiosk; wlroots' pixman renderer for
# cage (dumb buffers: works on KMS devices without PRIME, such as qemu's std VGA / bochs-drm).
LIBGL_ALWAYS_SOFTWARE=1
WLR_RENDERER=pixman
EOF
fi
