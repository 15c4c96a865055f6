/** MQTT connections in tests (tests only). */
import mqtt from 'mqtt';

/**
 * Connected, or refused: an error, or a close before CONNACK (a broker that drops the
 * socket, which mqtt.js `connectAsync` would wait on for ever). Never reconnects.
 */
export function connectOrRefused(url: string, options: mqtt.IClientOptions): Promise<mqtt.MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { connectTimeout: 10_000, ...options, reconnectPeriod: 0 });
    client.once('connect', () => resolve(client));
    client.once('error', (error) => {
      client.end(true);
      reject(error);
    });
    client.once('close', () => {
      client.end(true);
      reject(new Error('connection closed before CONNACK'));
    });
  });
}
