import { randomBytes } from 'crypto';

export interface MultipartFile {
	data: Buffer;
	fileName: string;
	contentType: string;
}

/**
 * A multipart/form-data body built to bytes here, so it is sent the same way on every n8n version
 * (n8n's request helpers treat FormData objects differently between 1.x and 2.x).
 */
export class MultipartBody {
	private readonly parts: Buffer[] = [];

	constructor(readonly boundary = `----n8nMidjourney${randomBytes(12).toString('hex')}`) {}

	field(name: string, value: string | number | boolean): this {
		this.parts.push(
			Buffer.from(
				`--${this.boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${String(value)}\r\n`,
			),
		);
		return this;
	}

	file(name: string, file: MultipartFile): this {
		const safeName = file.fileName.replace(/["\r\n]/g, '_');
		this.parts.push(
			Buffer.from(
				`--${this.boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${safeName}"\r\n` +
					`Content-Type: ${file.contentType}\r\n\r\n`,
			),
			file.data,
			Buffer.from('\r\n'),
		);
		return this;
	}

	/** The same parts under the same boundary, to add fields without changing this body. */
	clone(): MultipartBody {
		const copy = new MultipartBody(this.boundary);
		copy.parts.push(...this.parts);
		return copy;
	}

	get contentType(): string {
		return `multipart/form-data; boundary=${this.boundary}`;
	}

	toBuffer(): Buffer {
		return Buffer.concat([...this.parts, Buffer.from(`--${this.boundary}--\r\n`)]);
	}
}
