'''systemd Manager mock for kubeprep's restart tests.

Loaded with: python3 -m dbusmock --template tests/dbusmock/systemd_kubeprep.py --system
Covers what preflight/units.c calls (Subscribe, Reload, GetUnit, LoadUnit,
RestartUnit, TryRestartUnit, EnableUnitFiles, StartUnit, JobNew/JobRemoved, the
unit's LoadState, ActiveState, UnitFileState, ConditionResult and
ConditionTimestamp) plus control methods on org.freedesktop.DBus.Mock so a test can
preset units, make jobs fail and read back what was done.
'''

# SPDX-License-Identifier: MIT

from gi.repository import GLib
import dbus

from dbusmock import MOCK_IFACE, mockobject

BUS_NAME = 'org.freedesktop.systemd1'
MAIN_OBJ = '/org/freedesktop/systemd1'
MAIN_IFACE = 'org.freedesktop.systemd1.Manager'
UNIT_IFACE = 'org.freedesktop.systemd1.Unit'
SYSTEM_BUS = True

# A JobRemoved result that is never sent: the job "hangs", for timeout tests.
NO_SIGNAL = 'no-signal'


def load(mock, _parameters):
    mock.next_job_id = 1
    mock.unit_paths = {}        # unit name -> object path
    mock.restart_results = {}   # unit name -> JobRemoved result for its jobs
    mock.restart_log = []       # unit names, in the order their restarts were asked
    mock.reload_count = 0
    mock.reload_error = ''      # D-Bus error name Reload fails with; '' = succeed
    mock.enable_log = []        # unit names, in the order EnableUnitFiles was asked for them
    mock.start_log = []         # unit names StartUnit was asked for
    mock.condition_fails = set()  # units whose start finds their conditions unmet
    mock.calls = []             # every Manager method called, by name, in order
    mock.AddProperties(MAIN_IFACE, {'Version': 'v252-kubeprep-mock'})


def unit_object_path(name):
    '''Escape like systemd's bus_path_encode: every byte outside [A-Za-z0-9] as _xx.'''
    escaped = ''.join(c if c.isascii() and c.isalnum() else f'_{ord(c):02x}' for c in name)
    return f'{MAIN_OBJ}/unit/{escaped}'


def ensure_unit(mock, name, load_state, active_state):
    name = str(name)
    path = mock.unit_paths.get(name)
    if path is None:
        path = unit_object_path(name)
        mock.unit_paths[name] = path
        mock.AddObject(path, UNIT_IFACE,
                       {'Id': name, 'Names': dbus.Array([name], signature='s'),
                        'LoadState': load_state, 'ActiveState': active_state,
                        'UnitFileState': 'disabled' if load_state == 'loaded' else '',
                        'ConditionResult': False, 'ConditionTimestamp': dbus.UInt64(0)}, [])
    else:
        mockobject.objects[path].UpdateProperties(
            UNIT_IFACE, {'LoadState': load_state, 'ActiveState': active_state})
    return path


def no_such_unit(name):
    return dbus.exceptions.DBusException(f'Unit {name} not loaded.',
                                         name='org.freedesktop.systemd1.NoSuchUnit')


def finish_job(mock, job_id, job_path, name, result):
    mock.EmitSignal(MAIN_IFACE, 'JobNew', 'uos', [job_id, job_path, name])
    # Some other client's job ends first, as happens on a real system: a
    # waiter must pick its own job by path, not take the first JobRemoved.
    other_id = 9000 + job_id
    mock.EmitSignal(MAIN_IFACE, 'JobRemoved', 'uoss',
                    [other_id, f'{MAIN_OBJ}/job/{other_id}', 'unrelated.service', 'canceled'])
    if result != NO_SIGNAL:
        if result != 'done':
            mockobject.objects[mock.unit_paths[name]].UpdateProperties(
                UNIT_IFACE, {'ActiveState': 'failed'})
        mock.EmitSignal(MAIN_IFACE, 'JobRemoved', 'uoss', [job_id, job_path, name, result])
    return False  # one-shot idle callback


def queue_restart(mock, name, only_if_running):
    name = str(name)
    if name not in mock.unit_paths:
        raise no_such_unit(name)
    unit = mockobject.objects[mock.unit_paths[name]]
    if unit.props[UNIT_IFACE]['LoadState'] != 'loaded':
        raise dbus.exceptions.DBusException(f'Unit {name} not found.',
                                            name='org.freedesktop.systemd1.NoSuchUnit')
    job_id = mock.next_job_id
    mock.next_job_id += 1
    job_path = f'{MAIN_OBJ}/job/{job_id}'
    running = unit.props[UNIT_IFACE]['ActiveState'] in ('active', 'activating', 'reloading')
    if running or not only_if_running:
        mock.restart_log.append(name)
        result = mock.restart_results.get(name, 'done')
    else:
        result = 'done'  # systemd turns a try-restart of a stopped unit into a no-op job
    # Like systemd, the signals go out after the method reply.
    GLib.idle_add(finish_job, mock, job_id, job_path, name, result)
    return job_path


@dbus.service.method(MAIN_IFACE, in_signature='', out_signature='')
def Subscribe(_self):
    pass


@dbus.service.method(MAIN_IFACE, in_signature='', out_signature='')
def Unsubscribe(_self):
    pass


@dbus.service.method(MAIN_IFACE, in_signature='', out_signature='')
def Reload(self):
    self.calls.append('Reload')
    self.reload_count += 1
    if self.reload_error:
        raise dbus.exceptions.DBusException('Reload refused by the mock.', name=self.reload_error)


@dbus.service.method(MAIN_IFACE, in_signature='s', out_signature='o')
def GetUnit(self, name):
    path = self.unit_paths.get(str(name))
    if path is None:
        raise no_such_unit(name)
    return dbus.ObjectPath(path)


@dbus.service.method(MAIN_IFACE, in_signature='s', out_signature='o')
def LoadUnit(self, name):
    # systemd answers an unknown name with a stub unit whose LoadState is "not-found".
    if str(name) in self.unit_paths:
        return dbus.ObjectPath(self.unit_paths[str(name)])
    return dbus.ObjectPath(ensure_unit(self, name, 'not-found', 'inactive'))


@dbus.service.method(MAIN_IFACE, in_signature='ss', out_signature='o')
def RestartUnit(self, name, _mode):
    self.calls.append(f'RestartUnit {name}')
    return dbus.ObjectPath(queue_restart(self, name, only_if_running=False))


@dbus.service.method(MAIN_IFACE, in_signature='ss', out_signature='o')
def TryRestartUnit(self, name, _mode):
    self.calls.append(f'TryRestartUnit {name}')
    return dbus.ObjectPath(queue_restart(self, name, only_if_running=True))


@dbus.service.method(MAIN_IFACE, in_signature='asbb', out_signature='ba(sss)')
def EnableUnitFiles(self, files, runtime, force):
    '''Like systemd: names or paths; the links it would make are reported as changes, and the unit's
    UnitFileState becomes "enabled". Only persistent (runtime false), not forced, is what kubeprep
    asks for; a unit that is not loaded is refused as systemd refuses it.'''
    self.calls.append('EnableUnitFiles')
    if runtime or force:
        raise dbus.exceptions.DBusException('kubeprep asks for persistent, unforced enabling only.',
                                            name='org.freedesktop.DBus.Error.InvalidArgs')
    changes = []
    for f in files:
        name = str(f).rsplit('/', 1)[-1]
        unit = mockobject.objects[self.unit_paths[name]] if name in self.unit_paths else None
        if not unit or unit.props[UNIT_IFACE]['LoadState'] != 'loaded':
            raise dbus.exceptions.DBusException(f'Unit file {name} does not exist.',
                                                name='org.freedesktop.systemd1.NoSuchUnit')
        self.enable_log.append(name)
        unit.UpdateProperties(UNIT_IFACE, {'UnitFileState': 'enabled'})
        changes.append(('symlink', f'/etc/systemd/system/multi-user.target.wants/{name}',
                        f'/lib/systemd/system/{name}'))
    return (True, dbus.Array(changes, signature='(sss)'))


def finish_start(mock, job_id, job_path, name, result):
    unit = mockobject.objects[mock.unit_paths[name]]
    met = name not in mock.condition_fails
    props = {'ConditionResult': dbus.Boolean(met), 'ConditionTimestamp': dbus.UInt64(1700000000000000)}
    if result == 'done' and met:
        props['ActiveState'] = 'active'
    unit.UpdateProperties(UNIT_IFACE, props)
    return finish_job(mock, job_id, job_path, name, result)


@dbus.service.method(MAIN_IFACE, in_signature='ss', out_signature='o')
def StartUnit(self, name, _mode):
    name = str(name)
    if name not in self.unit_paths or \
            mockobject.objects[self.unit_paths[name]].props[UNIT_IFACE]['LoadState'] != 'loaded':
        raise no_such_unit(name)
    self.start_log.append(name)
    job_id = self.next_job_id
    self.next_job_id += 1
    job_path = f'{MAIN_OBJ}/job/{job_id}'
    GLib.idle_add(finish_start, self, job_id, job_path, name, self.restart_results.get(name, 'done'))
    return dbus.ObjectPath(job_path)


# --- control methods for the tests -------------------------------------------

@dbus.service.method(MOCK_IFACE, in_signature='ss', out_signature='')
def SetUnit(self, name, active_state):
    '''Add or update a loaded unit with the given ActiveState.'''
    ensure_unit(self, name, 'loaded', active_state)


@dbus.service.method(MOCK_IFACE, in_signature='ss', out_signature='')
def SetRestartResult(self, name, result):
    '''JobRemoved result for restarts of this unit: "done" (default), "failed",
    "timeout"..., or "no-signal" to never send JobRemoved.'''
    self.restart_results[str(name)] = str(result)


@dbus.service.method(MOCK_IFACE, in_signature='s', out_signature='')
def SetReloadError(self, error_name):
    '''Make Reload fail with this D-Bus error name; "" makes it succeed.'''
    self.reload_error = str(error_name)


@dbus.service.method(MOCK_IFACE, in_signature='', out_signature='as')
def GetRestartLog(self):
    return dbus.Array(self.restart_log, signature='s')


@dbus.service.method(MOCK_IFACE, in_signature='', out_signature='a{su}')
def GetRestartCounts(self):
    counts = {}
    for name in self.restart_log:
        counts[name] = counts.get(name, 0) + 1
    return dbus.Dictionary(counts, signature='su')


@dbus.service.method(MOCK_IFACE, in_signature='', out_signature='u')
def GetReloadCount(self):
    return dbus.UInt32(self.reload_count)


@dbus.service.method(MOCK_IFACE, in_signature='ss', out_signature='')
def SetUnitFileState(self, name, state):
    '''A loaded unit's UnitFileState ("enabled", "masked", ...).'''
    if str(name) not in self.unit_paths:
        ensure_unit(self, name, 'loaded', 'inactive')
    mockobject.objects[self.unit_paths[str(name)]].UpdateProperties(
        UNIT_IFACE, {'UnitFileState': str(state)})


@dbus.service.method(MOCK_IFACE, in_signature='s', out_signature='')
def FailCondition(self, name):
    '''Starting the unit finds its conditions unmet (ConditionVirtualization=!container).'''
    self.condition_fails.add(str(name))


@dbus.service.method(MOCK_IFACE, in_signature='', out_signature='as')
def GetEnableLog(self):
    return dbus.Array(self.enable_log, signature='s')


@dbus.service.method(MOCK_IFACE, in_signature='', out_signature='as')
def GetCalls(self):
    return dbus.Array(self.calls, signature='s')


@dbus.service.method(MOCK_IFACE, in_signature='', out_signature='as')
def GetStartLog(self):
    return dbus.Array(self.start_log, signature='s')
